// The image under test, built once per content: the tag is a digest of everything that goes
// into it (the compiled programs, the lockfile, the Dockerfile and the image scripts), so a
// second suite or a second run reuses it and a changed build is never mistaken for the old one.
// Suites in parallel jest workers serialize the build on a lock file.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCommand } from '../run-command.js';
import type { Podman } from './podman.js';

const TEST_IMAGE_REPOSITORY = 'localhost/switchyard-test';

export interface BuiltImage {
  /** repository:tag, as a Pod spec names it. */
  reference: string;
  repository: string;
  tag: string;
  sizeBytes: number;
  /** How long this call took: the build, or only the lookup when the image existed. */
  elapsedMs: number;
  builtNow: boolean;
}

const INPUT_FILES = [
  'package.json',
  'package-lock.json',
  'Dockerfile',
  'scripts/image-app.sh',
  'scripts/image-rootfs.sh',
  'scripts/build-image.sh',
];
const INPUT_TREES = ['bin', 'crds', 'compiler/dist/src', 'gateway/dist/src', 'operator/dist/src'];

function filesUnder(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() && !/\.(d\.ts|map)$/.test(entry.name) ? [path] : [];
  });
}

/** A digest of the image's inputs, short enough for a tag. */
function imageInputDigest(repoRoot: string): string {
  const hash = createHash('sha256');
  const files = [...INPUT_FILES.map((file) => join(repoRoot, file)), ...INPUT_TREES.flatMap((tree) => filesUnder(join(repoRoot, tree)))];
  for (const file of files) {
    if (!statSync(file, { throwIfNoEntry: false })?.isFile())
      throw new Error(`image input ${relative(repoRoot, file)} is missing; build first`);
    hash.update(relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

/** Builds the image into the private store unless an image with the same inputs is there. */
export async function ensureTestImage(podman: Podman, repoRoot: string): Promise<BuiltImage> {
  const start = Date.now();
  const tag = imageInputDigest(repoRoot);
  const reference = `${TEST_IMAGE_REPOSITORY}:${tag}`;
  const lock = join(podman.root, 'image-build.lock');
  // flock serializes parallel suites; the existence check inside the lock makes the loser reuse.
  const script = `podman ${podman.globalArgs.join(' ')} image exists "$IMAGE" && exit 0; exec bash scripts/build-image.sh`;
  const built = await runCommand('flock', ['--timeout', '600', lock, 'bash', '-c', `${script}`], {
    env: { ...process.env, ...podman.env, IMAGE: reference, PODMAN: ['podman', ...podman.globalArgs].join(' ') },
    timeoutMs: 900_000,
  });
  if (built.code !== 0) throw new Error(`building ${reference} failed (${built.code}):\n${built.stderr.slice(-3000)}`);
  const builtNow = built.stderr.includes('build-image:');
  if (builtNow) await pruneOldTestImages(podman, reference);
  const sizeBytes = Number((await podman.ok(['image', 'inspect', '--format', '{{.Size}}', reference])).trim());
  return { reference, repository: TEST_IMAGE_REPOSITORY, tag, sizeBytes, elapsedMs: Date.now() - start, builtNow };
}

/** Earlier test builds are dead weight in the store; one is kept (the current). */
async function pruneOldTestImages(podman: Podman, keep: string): Promise<void> {
  const listed = await podman.run(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${TEST_IMAGE_REPOSITORY}`]);
  const stale = listed.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((reference) => reference !== '' && reference !== keep);
  if (stale.length > 0) await podman.run(['rmi', '--force', ...stale]);
}
