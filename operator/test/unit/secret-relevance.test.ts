// Which objects reference which Secrets, kept for every object the operator watches: a string
// where an object references one Secret and a Secret has one referrer (every VirtualKey and its
// key Secret), a list or set only where there are more (a provider Secret many ModelRoutes share).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { SecretRelevance } from '../../src/reconcile/secret-relevance.js';
import { repoRoot } from '../support/repo-paths.js';

const KEYS = 100_000;

// A child process (node --expose-gc): the heap the index holds per VirtualKey after a full GC.
const PROBE = `
const { SecretRelevance } = await import(process.env.RELEVANCE_MODULE);
const keys = Number(process.env.KEYS);
// The key strings exist before (the watch events carry them); only the index is measured.
const objectKeys = Array.from({ length: keys }, (_, i) => 'VirtualKey/team-' + (i % 10) + '/key-' + i);
const secretIds = Array.from({ length: keys }, (_, i) => 'team-' + (i % 10) + '/key-' + i + '-key');
globalThis.gc();
globalThis.gc();
const before = process.memoryUsage().heapUsed;
const relevance = new SecretRelevance();
for (let i = 0; i < keys; i++) relevance.track(objectKeys[i], [secretIds[i]]);
globalThis.gc();
globalThis.gc();
const after = process.memoryUsage().heapUsed;
console.log(JSON.stringify({ referenced: relevance.referencedCount, bytesPerKey: Math.round((after - before) / keys), held: objectKeys.length + secretIds.length }));
`;

function probe(): Promise<{ referenced: number; bytesPerKey: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--input-type=module', '-e', PROBE],
      {
        env: {
          ...process.env,
          KEYS: String(KEYS),
          RELEVANCE_MODULE: pathToFileURL(join(repoRoot, 'operator', 'dist', 'src', 'reconcile', 'secret-relevance.js')).href,
        },
      },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as { referenced: number; bytesPerKey: number })),
    );
  });
}

describe('SecretRelevance', () => {
  it('follows referrers through one, several and none', () => {
    const relevance = new SecretRelevance();
    relevance.track('VirtualKey/a/k1', ['a/k1-key']);
    relevance.track('ModelRoute/a/r1', ['a/openai', 'a/anthropic', 'a/openai']);
    relevance.track('ModelRoute/a/r2', ['a/openai']);
    expect(relevance.referrersOf('a/k1-key')).toEqual(['VirtualKey/a/k1']);
    expect(relevance.referrersOf('a/openai').sort()).toEqual(['ModelRoute/a/r1', 'ModelRoute/a/r2']);
    expect(relevance.referencedCount).toBe(3);
    // r1 drops anthropic: the route still references openai, once.
    relevance.track('ModelRoute/a/r1', ['a/openai']);
    expect(relevance.isRelevant('a/anthropic', undefined)).toBe(false);
    expect(relevance.referrersOf('a/openai').sort()).toEqual(['ModelRoute/a/r1', 'ModelRoute/a/r2']);
    relevance.forget('ModelRoute/a/r2');
    expect(relevance.referrersOf('a/openai')).toEqual(['ModelRoute/a/r1']);
    relevance.forget('ModelRoute/a/r1');
    expect(relevance.isRelevant('a/openai', undefined)).toBe(false);
    relevance.track('VirtualKey/a/k1', ['a/k1-key']);
    expect(relevance.referrersOf('a/k1-key')).toEqual(['VirtualKey/a/k1']);
    relevance.forget('VirtualKey/a/k1');
    expect(relevance.referencedCount).toBe(0);
    expect(relevance.isRelevant('a/x', { 'app.kubernetes.io/managed-by': 'switchyard-operator' })).toBe(true);
  });

  it('holds no array or set per VirtualKey: its two map entries only', async () => {
    const { referenced, bytesPerKey } = await probe();
    expect(referenced).toBe(KEYS);
    // The key strings exist already and are not counted. With an array per object and a Set per
    // Secret the index measured 281 bytes per key; the two map entries alone, 73.
    expect(bytesPerKey).toBeLessThan(150);
  }, 60_000);
});
