// The acknowledgement tracker remembers the last historySize tables (16) so a gateway lagging a
// few versions behind still counts. What it keeps of each table is measured on the heap: a child
// process (node --expose-gc) drives the compiled tracker with many versions of one large table
// where one object changes per version (what a change to one ModelRoute publishes), collects
// garbage, and reports how much heap the tracker still holds. Before the tracker shared the
// object keys between tables, each remembered table held a map of its own (66-69 MB for 16 tables
// of 20,000 objects), which was most of the operator's heap growth after its first table.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../support/repo-paths.js';

const MIB = 1024 * 1024;
const OBJECTS = 20_000;
const VERSIONS = 60;

const trackerModule = pathToFileURL(join(repoRoot, 'operator', 'dist', 'src', 'reconcile', 'acknowledgement-tracker.js')).href;

// Runs in the child. SCENARIO 'same-objects': one route's generation moves per version;
// 'new-object-each-version': a route is also added per version, so no two tables have the same
// objects (the tracker's worst case, still bounded by historySize).
const PROBE = `
const { AcknowledgementTracker } = await import(process.env.TRACKER_MODULE);
const objects = Number(process.env.OBJECTS);
const versions = Number(process.env.VERSIONS);
const scenario = process.env.SCENARIO;
const generations = new Array(objects).fill(1);
const tableOf = (version) => {
  const routes = {};
  const count = scenario === 'same-objects' ? objects : objects + version;
  for (let i = 0; i < count; i++) {
    const name = 'route-' + i;
    routes['default/' + name] = { id: 'default/' + name, namespace: 'default', name, generation: generations[i] ?? 1 };
  }
  return { version, hash: 'h' + version, compiledAt: '', routes, modelsByNamespace: {}, keys: [], budgets: [] };
};
let hashes = [];
const tracker = new AcknowledgementTracker({ source: { snapshot: () => ({ gateways: 1, pending: 0, hashes }) }, onChanged: () => {} });
globalThis.gc();
globalThis.gc();
const before = process.memoryUsage().heapUsed;
for (let version = 1; version <= versions; version++) {
  generations[version % objects] += 1;
  tracker.remember(tableOf(version));
}
globalThis.gc();
globalThis.gc();
const after = process.memoryUsage().heapUsed;
// The tracker still answers from what it kept: the newest table, and one 15 versions back.
const current = new Map();
for (let i = 0; i < objects; i++) current.set('ModelRoute/default/route-' + i, {});
tracker.setCurrentObjects(current);
tracker.close();
hashes = ['h' + versions];
tracker.refresh();
const newest = tracker.acknowledgedGeneration('ModelRoute/default/route-' + (versions % objects));
hashes = ['h' + (versions - 15)];
tracker.refresh();
const older = tracker.acknowledgedGeneration('ModelRoute/default/route-' + (versions % objects));
hashes = ['h' + (versions - 16)];
tracker.refresh();
const forgotten = tracker.acknowledgedGeneration('ModelRoute/default/route-' + (versions % objects));
console.log(JSON.stringify({ retained: after - before, newest: newest ?? null, older: older ?? null, forgotten: forgotten ?? null }));
`;

interface ProbeResult {
  retained: number;
  newest: number | null;
  older: number | null;
  forgotten: number | null;
}

function probe(scenario: string): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--input-type=module', '-e', PROBE],
      {
        env: { ...process.env, TRACKER_MODULE: trackerModule, SCENARIO: scenario, OBJECTS: String(OBJECTS), VERSIONS: String(VERSIONS) },
        maxBuffer: MIB,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`probe failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ProbeResult);
      },
    );
  });
}

describe('AcknowledgementTracker: heap held by the remembered tables', () => {
  it('shares one key space between tables with the same objects: 16 tables of 20,000 objects in under 10 MiB', async () => {
    const result = await probe('same-objects');
    // One set of 20,000 keys and 16 arrays of generations (160 KB each): about 6 MiB measured;
    // a map per table held about 66 MiB.
    expect(result.retained).toBeLessThan(10 * MIB);
    expect(result.newest).toBe(2);
    // Version 45 was before route-60's generation moved (at version 60).
    expect(result.older).toBe(1);
    expect(result.forgotten).toBeNull();
  }, 60_000);

  it('stays bounded by the history when every version adds an object', async () => {
    const result = await probe('new-object-each-version');
    // 16 key spaces (a map and an array each) over mostly shared key strings: about 22 MiB
    // measured, the tracker's worst case, bounded by historySize; a map per table with its own
    // strings held about 66 MiB.
    expect(result.retained).toBeLessThan(40 * MIB);
    expect(result.newest).toBe(2);
    expect(result.forgotten).toBeNull();
  }, 60_000);
});
