// A standalone reload after a change to one file reads, hashes and parses that file only: the
// other files come back as the same ManifestFile objects (their stat unchanged), and their
// objects, Secrets (with `${ENV}` expanded) and validated copies are the very objects of the
// previous compilation, so an incremental compiler memoizing by identity sees them as unchanged.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { compileStandaloneFiles, readConfigFiles } from '../src/index.js';
import { ManifestParseCache, readManifestFiles, type ManifestFile } from '../src/manifests/parse-manifest-files.js';
import { contentHashOf } from '../src/standalone/read-config-files.js';

const route = (name: string) => `---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: ${name}, namespace: team-a}
spec:
  model: ${name}
  backends: [{name: a, provider: mock, model: echo}]
`;
const key = (name: string) => `---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: ${name}, namespace: team-a}
spec: {secretName: ${name}, allowedModels: [chat]}
---
apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: team-a}
stringData: {key: "sk-\${KEY_PREFIX}-${name}-0123456789abcdef"}
`;
const env = { KEY_PREFIX: 'team-a' };

/** Long after the files were written: their stat identifies their content. */
const later = () => Date.now() + 60_000;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function configuration(): string {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-reload-identity-'));
  writeFileSync(join(dir, 'a-routes.yaml'), route('chat'));
  writeFileSync(join(dir, 'b-keys.yaml'), key('k1'));
  writeFileSync(join(dir, 'c-keys.yaml'), key('k2'));
  return dir;
}

/** A cache that records what each compilation validated, by the parsed object. */
class RecordingCache extends ManifestParseCache {
  readonly validatedBy = new Map<object, unknown>();
  override validation<T>(object: object, validate: () => T): T {
    const result = super.validation(object, validate);
    this.validatedBy.set(object, result);
    return result;
  }
}

describe('standalone reload identity', () => {
  it('does not read a file again whose stat is unchanged, and reads the changed one', async () => {
    const path = configuration();
    const cache = new ManifestParseCache();
    const first = await readConfigFiles(path, cache, later);
    writeFileSync(join(path, 'c-keys.yaml'), key('k2') + key('k3'));
    const second = await readConfigFiles(path, cache, later);
    expect(second.map((file) => file.path)).toEqual(first.map((file) => file.path));
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[2]).not.toBe(first[2]);
    expect(second[2]?.text).toContain('name: k3');
    // The content hash is the one of a fresh read.
    expect(contentHashOf(second)).toBe(contentHashOf(await readConfigFiles(path)));
  });

  it('reads a file again while its last change is too recent for its stat to identify its content', async () => {
    const path = configuration();
    const cache = new ManifestParseCache();
    const first = await readConfigFiles(path, cache);
    // Same size, possibly within the same file-time tick: only the content tells the difference.
    writeFileSync(join(path, 'c-keys.yaml'), key('k9'));
    const second = await readConfigFiles(path, cache);
    expect(second[2]).not.toBe(first[2]);
    expect(second[2]?.text).toContain('name: k9');
  });

  it('hands the compiler the same objects, Secrets and validated copies for the files that did not change', async () => {
    const path = configuration();
    const cache = new RecordingCache();
    const before = await readConfigFiles(path, cache, later);
    const beforeParse = readManifestFiles(before, { env, cache }).parsed;
    compileStandaloneFiles(before, { env, cache });
    const validatedBefore = new Map(cache.validatedBy);
    cache.validatedBy.clear();

    writeFileSync(join(path, 'c-keys.yaml'), key('k2') + key('k3'));
    const after = await readConfigFiles(path, cache, later);
    const afterParse = readManifestFiles(after, { env, cache }).parsed;
    const result = compileStandaloneFiles(after, { env, cache });
    expect(result.table.keys).toHaveLength(3);

    const fromUnchanged = (object: { metadata: { name: string } }) => object.metadata.name !== 'k2' && object.metadata.name !== 'k3';
    const sameObjects = afterParse.objects.filter(fromUnchanged);
    expect(sameObjects.map((object) => object.metadata.name).sort()).toEqual(['chat', 'k1']);
    for (const object of sameObjects) {
      expect(beforeParse.objects).toContain(object);
      expect(cache.validatedBy.get(object)).toBe(validatedBefore.get(object));
    }
    const sameSecret = afterParse.secrets.find((secret) => secret.metadata.name === 'k1');
    expect(sameSecret).toBe(beforeParse.secrets.find((secret) => secret.metadata.name === 'k1'));
    expect(Buffer.from(sameSecret?.data?.['key'] ?? '', 'base64').toString()).toBe('sk-team-a-k1-0123456789abcdef');
    // The changed file's objects are new.
    const changed = afterParse.objects.find((object) => object.metadata.name === 'k2');
    expect(beforeParse.objects).not.toContain(changed);
  });

  it('gives the same table through the cache as a fresh compilation of the same files', async () => {
    const path = configuration();
    const cache = new ManifestParseCache();
    compileStandaloneFiles(await readConfigFiles(path, cache, later), { env, cache });
    writeFileSync(join(path, 'b-keys.yaml'), key('k1').replace('allowedModels: [chat]', 'allowedModels: [chat, other]'));
    const files: ManifestFile[] = await readConfigFiles(path, cache, later);
    const cached = compileStandaloneFiles(files, { env, cache });
    const fresh = compileStandaloneFiles(await readConfigFiles(path), { env });
    expect(cached.table.hash).toBe(fresh.table.hash);
    expect(cached.contentHash).toBe(fresh.contentHash);
  });
});
