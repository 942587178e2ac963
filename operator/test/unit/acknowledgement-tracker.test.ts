import { describe, expect, it } from '@jest/globals';
import type { ObjectDiagnostic, RoutingTable } from '@switchyard/compiler';
import { AcknowledgementTracker, type AckSnapshot } from '../../src/reconcile/acknowledgement-tracker.js';
import { combineAckSources } from '../../src/leader/replica-ack-reports.js';

function table(hash: string, version: number, routeGenerations: Record<string, number>): RoutingTable {
  const routes: RoutingTable['routes'] = {};
  for (const [name, generation] of Object.entries(routeGenerations)) {
    routes[`default/${name}`] = { id: `default/${name}`, namespace: 'default', name, generation } as RoutingTable['routes'][string];
  }
  return { version, hash, compiledAt: '', routes, modelsByNamespace: {}, keys: [], budgets: [] };
}

function objects(...names: string[]): Map<string, ObjectDiagnostic> {
  return new Map(
    names.map((name) => [`ModelRoute/default/${name}`, { kind: 'ModelRoute', namespace: 'default', name, generation: 1, conditions: [] }]),
  );
}

function tracker(snapshot: () => AckSnapshot) {
  const changes: string[][] = [];
  const versions: number[] = [];
  const t = new AcknowledgementTracker({
    source: { snapshot },
    onChanged: (keys) => changes.push(keys),
    onAcknowledgedVersion: (v) => versions.push(v),
  });
  return { t, changes, versions };
}

describe('AcknowledgementTracker', () => {
  it('walks the objects again only when the gateways, their tables or the objects changed', () => {
    // Sessions, keepalives and replica reports ask for refreshes; at 110,000 objects each walk was
    // a noticeable part of the event loop. The walks are counted on the objects map.
    class CountingMap extends Map<string, ObjectDiagnostic> {
      walks = 0;
      override keys(): MapIterator<string> {
        this.walks++;
        return super.keys();
      }
    }
    let snap: AckSnapshot = { gateways: 1, pending: 0, hashes: ['h1'] };
    const { t, changes } = tracker(() => snap);
    t.remember(table('h1', 1, { a: 1 }));
    const current = new CountingMap(objects('a'));
    t.setCurrentObjects(current);
    t.close();
    t.refresh();
    expect(current.walks).toBe(1);
    t.refresh();
    t.refresh();
    snap = { gateways: 1, pending: 0, hashes: ['h1'] }; // equal, not the same object
    t.refresh();
    expect(current.walks).toBe(1);
    expect(t.acknowledgedGeneration('ModelRoute/default/a')).toBe(1);
    // A second gateway on the same table: walked again (and nothing moved).
    snap = { gateways: 2, pending: 0, hashes: ['h1'] };
    t.refresh();
    expect(current.walks).toBe(2);
    // A new table both gateways acknowledged: walked again, a moved forward.
    t.remember(table('h2', 2, { a: 2 }));
    snap = { gateways: 2, pending: 0, hashes: ['h2'] };
    t.refresh();
    expect(current.walks).toBe(3);
    expect(t.acknowledgedGeneration('ModelRoute/default/a')).toBe(2);
    // The same table hash remembered again (a recompile to the same content): walked again.
    t.remember(table('h2', 3, { a: 2 }));
    t.refresh();
    expect(current.walks).toBe(4);
    expect(changes).toEqual([['ModelRoute/default/a'], ['ModelRoute/default/a']]);
  });

  it('reports the generation every gateway holds, once, when they all acknowledged the same table', () => {
    let snap: AckSnapshot = { gateways: 2, pending: 1, hashes: ['h1'] };
    const { t, changes, versions } = tracker(() => snap);
    t.remember(table('h1', 1, { a: 1, b: 4 }));
    t.setCurrentObjects(objects('a', 'b'));
    t.refresh();
    expect(changes).toEqual([]);
    expect(t.acknowledgedGeneration('ModelRoute/default/a')).toBeUndefined();

    snap = { gateways: 2, pending: 0, hashes: ['h1'] };
    t.refresh();
    t.refresh();
    expect(changes).toEqual([['ModelRoute/default/a', 'ModelRoute/default/b']]);
    expect(t.acknowledgedGeneration('ModelRoute/default/b')).toBe(4);
    expect(versions.at(-1)).toBe(1);
    t.close();
  });

  it('takes only objects whose generation agrees across the tables gateways hold', () => {
    const { t, changes } = tracker(() => ({ gateways: 2, pending: 0, hashes: ['h1', 'h2'] }));
    t.remember(table('h1', 1, { a: 1, b: 1 }));
    t.remember(table('h2', 2, { a: 1, b: 2 }));
    t.setCurrentObjects(objects('a', 'b'));
    t.refresh();
    expect(changes).toEqual([['ModelRoute/default/a']]);
    t.close();
  });

  it('counts nothing as acknowledged with no gateways or an unknown table', () => {
    for (const snap of [
      { gateways: 0, pending: 0, hashes: [] },
      { gateways: 1, pending: 0, hashes: ['unknown'] },
    ]) {
      const { t, changes, versions } = tracker(() => snap);
      t.remember(table('h1', 1, { a: 1 }));
      t.setCurrentObjects(objects('a'));
      t.refresh();
      expect(changes).toEqual([]);
      expect(versions.at(-1)).toBe(0);
      t.close();
    }
  });

  it('combines this replica with the others: one silent gateway anywhere holds Programmed back', () => {
    const local = { snapshot: () => ({ gateways: 2, pending: 0, hashes: ['h1'] }) };
    let remote: AckSnapshot[] = [{ gateways: 1, pending: 1, hashes: [] }];
    const combined = combineAckSources(local, { snapshots: () => remote });
    expect(combined.snapshot()).toEqual({ gateways: 3, pending: 1, hashes: ['h1'] });
    remote = [{ gateways: 1, pending: 0, hashes: ['h2'] }];
    expect(combined.snapshot()).toEqual({ gateways: 3, pending: 0, hashes: ['h1', 'h2'] });
  });
});
