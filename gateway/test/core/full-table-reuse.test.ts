// A full table that repeats most of the table the gateway holds (a resync after a gap, or every
// change from an operator that does not send deltas) is decoded into that table's own objects
// where entries are equal, so it costs memory for what changed only and the runtime table is
// rebuilt for those entries only.
import { hash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import type { RoutingTable } from '@switchyard/compiler';
import { decodeTableMessage } from '../../src/control-plane/table-stream-messages.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { TableHolder } from '../../src/table/table-holder.js';
import { compiledBackend, compiledKey, compiledRoute, routingTable } from './table-fixtures.js';

function tableEvent(table: RoutingTable): string {
  const json = Buffer.from(JSON.stringify(table), 'utf8');
  return JSON.stringify({
    version: table.version,
    hash: table.hash,
    encoding: 'gzip+base64',
    size: json.length,
    data: gzipSync(json).toString('base64'),
  });
}

function cluster(version: number, changedKeyLabel: string): RoutingTable {
  const routes = [compiledRoute('chat', [compiledBackend('a'), compiledBackend('b')]), compiledRoute('embed', [compiledBackend('c')])];
  const keys = Array.from({ length: 50 }, (_, i) =>
    compiledKey(`k${String(i).padStart(2, '0')}`, `secret-${i}`, {
      budgetIds: ['default/team'],
      labels: { team: 'one', ...(i === 7 ? { tier: changedKeyLabel } : {}) },
    }),
  );
  return { ...routingTable(routes, keys, version), hash: hash('sha256', `${version}-${changedKeyLabel}`, 'hex') };
}

describe('a full table against the one held', () => {
  it('reuses the held objects for equal entries and decodes the rest; the runtime table is rebuilt for the changed key only', async () => {
    const first = await decodeTableMessage(tableEvent(cluster(1, 'gold')));
    const holder = new TableHolder(createProviderRegistry());
    const old = holder.load(first.table);

    const second = await decodeTableMessage(tableEvent(cluster(2, 'silver')), first.table);
    // The same value as decoding without the held table, member order included.
    const plain = await decodeTableMessage(tableEvent(cluster(2, 'silver')));
    expect(JSON.stringify(second.table)).toBe(JSON.stringify(plain.table));

    second.table.keys.forEach((key, i) => {
      if (i === 7) expect(key).not.toBe(first.table.keys[i]);
      else expect(key).toBe(first.table.keys[i]);
    });
    for (const [id, route] of Object.entries(second.table.routes)) expect(route).toBe(first.table.routes[id]);
    expect(second.table.modelsByNamespace.default).toBe(first.table.modelsByNamespace.default);

    const next = holder.load(second.table);
    expect(next.routes).toBe(old.routes);
    for (const [digest, key] of next.keysByDigest) {
      if (key.compiled === second.table.keys[7]) expect(key).not.toBe(old.keysByDigest.get(digest));
      else expect(key).toBe(old.keysByDigest.get(digest));
    }
  });
});
