import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../src/kube/resources.js';
import { silentLogger } from '../../src/observe/logger.js';
import { ConfigAudit } from '../../src/reconcile/config-audit.js';

type SecretLike = KubeObject & { data: Record<string, string> };

/** A Secret that counts how often its data is read (the audit's fingerprint reads it). */
function countedSecret(name: string, value: string, reads: { count: number }, resourceVersion = '1'): SecretLike {
  const data = { key: Buffer.from(value).toString('base64') };
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion },
  } as SecretLike;
  Object.defineProperty(secret, 'data', {
    enumerable: true,
    get() {
      reads.count++;
      return data;
    },
  });
  return secret;
}

function route(name: string, generation: number, resourceVersion: string): KubeObject {
  return {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'ModelRoute',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      generation,
      resourceVersion,
      managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2026-12-07T10:00:00Z' }],
    },
  } as KubeObject;
}

describe('ConfigAudit', () => {
  it('fingerprints only objects the caches replaced, none at the baseline (one SHA-256 per Secret per version at 100,000 keys)', () => {
    const reads = { count: 0 };
    const secrets = Array.from({ length: 50 }, (_, i) => countedSecret(`s${i}`, `value-${i}`, reads));
    const audit = new ConfigAudit(silentLogger, undefined);
    audit.tableVersion(1, 'h1', secrets, false);
    const afterBaseline = reads.count;
    // The baseline keeps the objects, not a fingerprint of each: no Secret's data is read.
    expect(afterBaseline).toBe(0);
    // Version 2: one Secret replaced by the cache (a new object, new data); the others are the same objects.
    const replaced = countedSecret('s7', 'rotated', reads, '2');
    const second = secrets.map((s, i) => (i === 7 ? replaced : s));
    const changes = audit.tableVersion(2, 'h2', second, false);
    expect(changes).toEqual([{ change: 'updated', kind: 'Secret', namespace: 'ns', name: 's7', resourceVersion: '2' }]);
    // Only the replaced Secret was read again.
    expect(reads.count - afterBaseline).toBeLessThanOrEqual(2);
    audit.tableVersion(3, 'h3', second, false);
    expect(reads.count - afterBaseline).toBeLessThanOrEqual(2);
  });

  it('reports created, updated and deleted objects against the previous version, and not a status-only write', () => {
    const audit = new ConfigAudit(silentLogger, undefined);
    const a1 = route('a', 1, '10');
    const b1 = route('b', 1, '11');
    expect(audit.tableVersion(1, 'h1', [a1, b1], false)).toEqual([]);
    // a: a status write (new object, new resourceVersion, same generation): no change.
    // b: a spec change. c: new.
    const a2 = route('a', 1, '12');
    const b2 = route('b', 2, '13');
    const c1 = route('c', 1, '14');
    expect(audit.tableVersion(2, 'h2', [a2, b2, c1], false)).toEqual([
      {
        change: 'updated',
        kind: 'ModelRoute',
        namespace: 'ns',
        name: 'b',
        resourceVersion: '13',
        fieldManager: 'kubectl',
        operation: 'Update',
      },
      {
        change: 'created',
        kind: 'ModelRoute',
        namespace: 'ns',
        name: 'c',
        resourceVersion: '14',
        fieldManager: 'kubectl',
        operation: 'Update',
      },
    ]);
    // b deleted; a and c the same objects as before.
    expect(audit.tableVersion(3, 'h3', [a2, c1], false)).toEqual([
      {
        change: 'deleted',
        kind: 'ModelRoute',
        namespace: 'ns',
        name: 'b',
        resourceVersion: '13',
        fieldManager: 'kubectl',
        operation: 'Update',
      },
    ]);
    // b comes back as the same object it was (a relist that found it again): created again.
    expect(audit.tableVersion(4, 'h4', [a2, b2, c1], false)).toEqual([
      {
        change: 'created',
        kind: 'ModelRoute',
        namespace: 'ns',
        name: 'b',
        resourceVersion: '13',
        fieldManager: 'kubectl',
        operation: 'Update',
      },
    ]);
    expect(audit.tableVersion(5, 'h5', [a2, b2, c1], false)).toEqual([]);
  });
});
