// The operator's compile of its cache hands the compiler the previous compile's state: after a
// one-key change the published table is what a fresh compile gives, and every other entry is the
// previous table's object (so the table-stream index reuses their hashes and the old table is freed).
import { describe, expect, it } from '@jest/globals';
import {
  BUILTIN_KINDS,
  indexTable,
  silentLogger,
  type KindObject,
  type RoutingTable,
  type SecretManifest,
  type TableIndex,
} from '@switchyard/compiler';
import type { AcknowledgementTracker } from '../../src/reconcile/acknowledgement-tracker.js';
import { TableCompilation, type TablePublisher } from '../../src/reconcile/table-compilation.js';
import type { PublishedTable } from '../../src/table-server/table-stream-server.js';

const API = 'switchyard.dev/v1alpha1';

function key(name: string, team: string): KindObject {
  return {
    apiVersion: API,
    kind: 'VirtualKey',
    metadata: { name, namespace: 'ai', generation: 1, labels: { team } },
    spec: { secretName: `${name}-key` },
  };
}

function keySecret(name: string): SecretManifest {
  const data = { key: Buffer.from(`sk-sy-${name}-0123456789abcdef`).toString('base64') };
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-key`, namespace: 'ai' }, data };
}

function compilation(): { compilation: TableCompilation; published: RoutingTable[]; indexes: Array<TableIndex | undefined> } {
  const published: RoutingTable[] = [];
  const indexes: Array<TableIndex | undefined> = [];
  const publisher: TablePublisher = {
    publish(table, index) {
      published.push(table);
      indexes.push(index);
      return {
        version: table.version,
        hash: table.hash,
        table,
        digest: index?.digest ?? '',
        frame: Buffer.alloc(0),
        encoded: undefined,
        delta: undefined,
      } satisfies PublishedTable;
    },
  };
  const tracker = { remember: () => {}, setCurrentObjects: () => {} } as unknown as AcknowledgementTracker;
  const compilation = new TableCompilation({
    kinds: BUILTIN_KINDS,
    sharedNamespaces: [],
    publisher,
    tracker,
    logger: silentLogger,
    initialVersion: 0,
    now: () => new Date('2026-03-01T00:00:00Z'),
  });
  return { compilation, published, indexes };
}

describe('table compilation', () => {
  it('recompiles what changed and shares the other entries with the previous table', () => {
    const names = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    const objects: KindObject[] = [
      ...names.map((name, i) => key(name, i % 2 ? 'web' : 'pay')),
      {
        apiVersion: API,
        kind: 'Budget',
        metadata: { name: 'pay', namespace: 'ai', generation: 1 },
        spec: { selector: { matchLabels: { team: 'pay' } }, limit: '10' },
      },
    ];
    const secrets = names.map(keySecret);
    const { compilation: operator, published, indexes } = compilation();
    operator.run(objects, secrets);
    // key-3 moves from team web to team pay: it is now charged to the Budget.
    objects[3] = key('key-3', 'pay');
    operator.run(objects, secrets);
    expect(published).toHaveLength(2);
    const [first, second] = published as [RoutingTable, RoutingTable];
    expect(second.keys.find((k) => k.id === 'ai/key-3')?.budgetIds).toEqual(['ai/pay']);
    for (const entry of second.keys) {
      if (entry.id === 'ai/key-3') expect(first.keys).not.toContain(entry);
      else expect(first.keys).toContain(entry);
    }
    expect(second.budgets[0]).toBe(first.budgets[0]);
    // The publisher is handed the compiler's index of each table, so it does not hash the table again.
    expect(indexes).toEqual([indexTable(first), indexTable(second)]);

    const fresh = compilation();
    fresh.compilation.run(objects, secrets);
    expect(second.hash).toBe((fresh.published[0] as RoutingTable).hash);
  });
});
