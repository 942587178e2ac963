// What this build is: the version from the root package.json (the one version source: the chart's
// appVersion and the image tag follow it), the Node running it, and the git commit when the files
// sit in a checkout. Read at run time from the installed files, so a checkout, an npm install and
// the image (which copies package.json into /app) all report the same thing.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  /** The root package.json `version`; "unknown" if it cannot be found. */
  version: string;
  /** process.version, e.g. v24.9.0. */
  nodeVersion: string;
  /** The checkout's HEAD commit (40 hex digits), when running from a git checkout. */
  commit: string | undefined;
}

/** The root package's name: workspaces' own package.json files are passed over on the way up. */
const ROOT_PACKAGE_NAME = 'switchyard';

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  cached ??= readBuildInfo(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

/** `switchyard 0.1.0 (node v24.9.0, commit 1234abcd)`: what `switchyard --version` prints. */
export function describeBuild(info: BuildInfo = buildInfo()): string {
  const commit = info.commit === undefined ? '' : `, commit ${info.commit.slice(0, 12)}`;
  return `switchyard ${info.version} (node ${info.nodeVersion}${commit})`;
}

function readBuildInfo(from: string): BuildInfo {
  const root = findRoot(from);
  let version = 'unknown';
  if (root !== undefined) {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof manifest.version === 'string') version = manifest.version;
  }
  return { version, nodeVersion: process.version, commit: root === undefined ? undefined : gitCommit(root) };
}

/** The nearest directory above `from` whose package.json is the root package's. */
function findRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifestPath = join(dir, 'package.json');
    if (existsSync(manifestPath)) {
      try {
        const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: unknown };
        if (manifest.name === ROOT_PACKAGE_NAME) return dir;
      } catch {
        // An unreadable package.json further down is not ours; keep climbing.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * HEAD read from the files git keeps (no git binary needed, none is in the image): `.git` is a
 * directory, or in a worktree a file naming the worktree's git directory, whose `commondir`
 * holds the shared refs. Anything unexpected means "unknown", never an error.
 */
function gitCommit(root: string): string | undefined {
  try {
    const dotGit = join(root, '.git');
    if (!existsSync(dotGit)) return undefined;
    let gitDir = dotGit;
    if (!statSync(dotGit).isDirectory()) {
      const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (pointer?.[1] === undefined) return undefined;
      gitDir = resolve(root, pointer[1].trim());
    }
    const commonDirFile = join(gitDir, 'commondir');
    const commonDir = existsSync(commonDirFile) ? resolve(gitDir, readFileSync(commonDirFile, 'utf8').trim()) : gitDir;
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
    if (ref === undefined) return isCommit(head) ? head : undefined;
    for (const dir of [gitDir, commonDir]) {
      const refFile = join(dir, ref);
      if (existsSync(refFile)) {
        const commit = readFileSync(refFile, 'utf8').trim();
        return isCommit(commit) ? commit : undefined;
      }
    }
    const packed = join(commonDir, 'packed-refs');
    if (!existsSync(packed)) return undefined;
    for (const line of readFileSync(packed, 'utf8').split('\n')) {
      const [commit, name] = line.split(' ');
      if (name === ref && commit !== undefined && isCommit(commit)) return commit;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

function isCommit(text: string): boolean {
  return /^[0-9a-f]{40}$/.test(text);
}
