// The table diff the operator sends gateways (compiler common/table-delta.ts): entries diffed by
// identity, applied to the previous table, checked by the entry digest.
import { describe, expect, it } from '@jest/globals';
import {
  applyTableChanges,
  canonicalJson,
  diffTables,
  hashTableContent,
  indexTable,
  type RoutingTable,
  type TableChanges,
} from '@switchyard/compiler';
import { compileScaleTable, scaleInput } from '../support/scale-input.js';

/** Diffs `before` -> `after`, applies the diff to `before` and checks the result is `after` exactly. */
function roundTrip(before: RoutingTable, after: RoutingTable): TableChanges {
  const beforeIndex = indexTable(before);
  const afterIndex = indexTable(after);
  const changes = diffTables(beforeIndex, afterIndex, after);
  // What goes on the wire is JSON: apply what a gateway would parse.
  const wire = JSON.parse(JSON.stringify(changes)) as TableChanges;
  const base = JSON.parse(JSON.stringify(before)) as RoutingTable;
  const applied = applyTableChanges(base, beforeIndex.digest, wire, after);
  expect(applied.digest).toBe(afterIndex.digest);
  expect(hashTableContent(applied.table)).toBe(after.hash);
  expect(canonicalJson(applied.table)).toBe(canonicalJson(after));
  expect(Object.keys(applied.table.routes)).toEqual(Object.keys(after.routes));
  expect(applied.table.keys.map((k) => k.id)).toEqual(after.keys.map((k) => k.id));
  return changes;
}

describe('table delta: diff by entry identity', () => {
  it('a changed key yields that key alone, applied to exactly the new table', () => {
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1).table;
    const key = input.virtualKeys?.[7];
    if (!key) throw new Error('no key 7');
    (key.metadata.labels as Record<string, string>).tier = 'platinum';
    const v2 = compileScaleTable(input, 2).table;
    expect(v2.hash).not.toBe(v1.hash);
    const changes = roundTrip(v1, v2);
    expect(Object.keys(changes.collections)).toEqual(['keys']);
    expect(Object.keys(changes.collections.keys?.upsert ?? {})).toEqual([v1.keys.find((k) => k.name === 'key-7')?.id]);
    expect(changes.collections.keys?.remove).toBeUndefined();
    expect(JSON.stringify(changes).length).toBeLessThan(2048);
  });

  it('added and removed keys, a removed route and a changed budget', () => {
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1).table;
    const changed = {
      ...input,
      virtualKeys: [...(input.virtualKeys ?? [])],
      routes: [...(input.routes ?? [])],
      budgets: [...(input.budgets ?? [])],
    };
    // The new key takes over a removed key's Secret (two keys with one Secret would be refused).
    const template = changed.virtualKeys.splice(3, 2)[0];
    if (!template) throw new Error('no key');
    changed.virtualKeys.push({ ...template, metadata: { ...template.metadata, name: 'key-new', uid: 'uid-new' } });
    const removedRoute = changed.routes.splice(5, 1)[0];
    const budget = changed.budgets[2];
    if (!budget) throw new Error('no budget');
    changed.budgets[2] = { ...budget, spec: { ...budget.spec, limit: '999.00' } };
    const v2 = compileScaleTable(changed, 2).table;
    const changes = roundTrip(v1, v2);
    expect(changes.collections.keys?.remove?.length).toBe(2);
    expect(Object.keys(changes.collections.keys?.upsert ?? {})).toContain(`${template.metadata.namespace}/key-new`);
    expect(changes.collections.routes?.remove).toEqual([`${removedRoute?.metadata.namespace}/${removedRoute?.metadata.name}`]);
    expect(Object.keys(changes.collections.budgets?.upsert ?? {})).toEqual([`${budget.metadata.namespace}/${budget.metadata.name}`]);
  });

  it('many changed keys at once (the one-pass path) still give exactly the new table', () => {
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1).table;
    const keys = input.virtualKeys ?? [];
    for (let i = 0; i < keys.length; i += 2) (keys[i]?.metadata.labels as Record<string, string>).tier = 'platinum';
    const changed = { ...input, virtualKeys: keys.filter((_, i) => i % 7 !== 3) };
    const v2 = compileScaleTable(changed, 2).table;
    const changes = roundTrip(v1, v2);
    expect(Object.keys(changes.collections.keys?.upsert ?? {}).length).toBeGreaterThan(64);
    expect(changes.collections.keys?.remove?.length).toBeGreaterThan(20);
  });

  it('an optional collection that appears or disappears, and an identical table', () => {
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1).table;
    const withPolicies: RoutingTable = {
      ...v1,
      guardrailPolicies: { 'ns-0/p': { id: 'ns-0/p' } as never },
    };
    withPolicies.hash = hashTableContent(withPolicies);
    const up = roundTrip(v1, withPolicies);
    expect(up.absent ?? []).not.toContain('guardrailPolicies');
    const down = roundTrip(withPolicies, v1);
    expect(down.absent).toContain('guardrailPolicies');
    const empty = { ...v1, mcpServers: undefined } as unknown as RoutingTable;
    delete (empty as { mcpServers?: unknown }).mcpServers;
    empty.hash = hashTableContent(empty);
    // Empty and absent hash differently, so the digest tells them apart too.
    expect(indexTable(empty).digest).not.toBe(indexTable(v1).digest);
    roundTrip(v1, empty);
    expect(roundTrip(v1, { ...v1, version: 2 }).collections).toEqual({});
  });

  it('the digest does not depend on entry order, but on every entry', () => {
    const v1 = compileScaleTable(scaleInput(), 1).table;
    const reversed = { ...v1, keys: [...v1.keys].reverse() };
    expect(indexTable(reversed).digest).toBe(indexTable(v1).digest);
    const key = v1.keys[3];
    if (!key) throw new Error('no key');
    const tampered = { ...v1, keys: v1.keys.map((k) => (k === key ? { ...k, disabled: !k.disabled } : k)) };
    expect(indexTable(tampered).digest).not.toBe(indexTable(v1).digest);
  });

  it('a corrupted entry in the changes does not reach the digest the operator computed', () => {
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1).table;
    (input.virtualKeys?.[9]?.metadata.labels as Record<string, string>).tier = 'platinum';
    const v2 = compileScaleTable(input, 2).table;
    const i1 = indexTable(v1);
    const i2 = indexTable(v2);
    const changes = JSON.parse(JSON.stringify(diffTables(i1, i2, v2))) as TableChanges;
    const upsert = changes.collections.keys?.upsert as Record<string, { disabled: boolean }>;
    for (const entry of Object.values(upsert)) entry.disabled = !entry.disabled;
    expect(applyTableChanges(v1, i1.digest, changes, v2).digest).not.toBe(i2.digest);
  });
});
