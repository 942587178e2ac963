// `make sbom-npm`: the CycloneDX SBOM of the production npm tree. The expected content is not written
// down here but derived from package-lock.json, which is what `npm ci` and the image's
// `npm ci --omit=dev` install: every non-dev package of the lockfile, at its locked version,
// and nothing else (no jest, no TypeScript, no SDKs the tests drive the gateway with).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCommand } from '../src/run-command.js';
import { REPO_ROOT } from './helm-chart-support.js';

interface LockEntry {
  name?: string;
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
}

interface BomComponent {
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  components?: BomComponent[];
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** `name@version` of every package the lockfile installs outside the dev tree. */
function productionPackagesOfLockfile(): Set<string> {
  const packages = readJson(join(REPO_ROOT, 'package-lock.json'))['packages'] as Record<string, LockEntry>;
  const result = new Set<string>();
  for (const [path, entry] of Object.entries(packages)) {
    // '' is the root project; links point at workspace folders that have their own entry.
    if (path === '' || entry.link || entry.dev || entry.devOptional) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    result.add(`${name}@${entry.version}`);
  }
  return result;
}

function componentsOf(bom: Record<string, unknown>): BomComponent[] {
  const all: BomComponent[] = [];
  const walk = (list: BomComponent[] | undefined): void => {
    for (const component of list ?? []) {
      all.push(component);
      walk(component.components);
    }
  };
  walk(bom['components'] as BomComponent[] | undefined);
  return all;
}

const fullName = (component: BomComponent): string => (component.group ? `${component.group}/${component.name}` : component.name);

async function makeSbom(releaseDir: string): Promise<Record<string, unknown>> {
  // -o: the suite runs after `make install`; a lockfile newer than the stamp must not make this
  // test rerun `npm ci` underneath the other tests.
  const result = await runCommand(
    'make',
    ['-s', '-o', 'node_modules/.install-stamp', '-C', REPO_ROOT, 'sbom-npm', `RELEASE_DIR=${releaseDir}`],
    {
      timeoutMs: 180_000,
    },
  );
  if (result.code !== 0) throw new Error(`make sbom-npm failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return readJson(join(releaseDir, 'sbom', 'switchyard-npm.cdx.json'));
}

describe('make sbom-npm (CycloneDX, production npm tree)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'switchyard-sbom-'));
  let bom: Record<string, unknown>;
  beforeAll(async () => {
    bom = await makeSbom(join(scratch, 'first'));
  }, 180_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is CycloneDX JSON describing this package at its version', () => {
    const pkg = readJson(join(REPO_ROOT, 'package.json'));
    expect(bom['bomFormat']).toBe('CycloneDX');
    expect(bom['specVersion']).toMatch(/^1\.\d+$/);
    const metadata = bom['metadata'] as { component?: BomComponent };
    expect(metadata.component?.name).toBe(pkg['name']);
    expect(metadata.component?.version).toBe(pkg['version']);
  });

  it('lists exactly the production packages of the lockfile, each with a version and a purl', () => {
    const components = componentsOf(bom);
    expect(components.length).toBeGreaterThan(0);
    for (const component of components) {
      expect(component.version).toBeTruthy();
      expect(component.purl).toMatch(/^pkg:npm\//);
    }
    const inBom = new Set(components.map((component) => `${fullName(component)}@${component.version}`));
    expect([...inBom].sort()).toEqual([...productionPackagesOfLockfile()].sort());
  });

  it("holds every runtime dependency the workspaces declare and none of the root's development tools", () => {
    const names = new Set(componentsOf(bom).map(fullName));
    for (const workspace of ['compiler', 'gateway', 'operator']) {
      const dependencies = Object.keys(
        (readJson(join(REPO_ROOT, workspace, 'package.json'))['dependencies'] ?? {}) as Record<string, string>,
      );
      for (const dependency of dependencies)
        expect({ workspace, dependency, present: names.has(dependency) }).toMatchObject({ present: true });
    }
    // Root devDependencies the lockfile keeps out of the production tree (yaml, undici and
    // prom-client are also runtime dependencies of a workspace, @types/node of @kubernetes/client-node).
    const lock = readJson(join(REPO_ROOT, 'package-lock.json'))['packages'] as Record<string, LockEntry>;
    const devOnly = Object.keys(readJson(join(REPO_ROOT, 'package.json'))['devDependencies'] as Record<string, string>).filter(
      (name) => lock[`node_modules/${name}`]?.dev === true,
    );
    expect(devOnly).toEqual(expect.arrayContaining(['jest', 'typescript', 'openai', '@cyclonedx/cyclonedx-npm']));
    expect(devOnly.filter((name) => names.has(name))).toEqual([]);
  });

  it('is reproducible: a second run over the same lockfile writes the same bytes', async () => {
    const first = readFileSync(join(scratch, 'first', 'sbom', 'switchyard-npm.cdx.json'), 'utf8');
    await makeSbom(join(scratch, 'second'));
    expect(readFileSync(join(scratch, 'second', 'sbom', 'switchyard-npm.cdx.json'), 'utf8')).toBe(first);
  }, 180_000);
});
