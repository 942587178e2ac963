// The diagnostics of 100,000 keys are held between compiles (the operator compares the next
// compile's with them): keys with the same outcome share their condition objects instead of each
// holding equal copies, and sharing them changes nothing a reader sees.
import { describe, expect, it } from '@jest/globals';
import { compileRoutingTable, type KindObject, type SecretManifest } from '../src/index.js';

const API = 'switchyard.dev/v1alpha1';

function input(count: number): { objects: KindObject[]; secrets: SecretManifest[] } {
  const objects: KindObject[] = [];
  const secrets: SecretManifest[] = [];
  for (let i = 0; i < count; i++) {
    objects.push({
      apiVersion: API,
      kind: 'VirtualKey',
      metadata: { name: `key-${i}`, namespace: 'ai', generation: 1, labels: { team: i % 2 ? 'web' : 'pay' } },
      spec: { secretName: `key-${i}-secret` },
    });
    const data = { key: Buffer.from(`sk-sy-${i}-0123456789abcdef`).toString('base64') };
    secrets.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `key-${i}-secret`, namespace: 'ai' }, data });
  }
  objects.push({
    apiVersion: API,
    kind: 'Budget',
    metadata: { name: 'pay', namespace: 'ai', generation: 1 },
    spec: { selector: { matchLabels: { team: 'pay' } }, limit: '10' },
  });
  return { objects, secrets };
}

describe('key diagnostics', () => {
  it('share one condition object per outcome across keys and compiles', () => {
    const { objects, secrets } = input(40);
    const first = compileRoutingTable({ objects, secrets, sharedNamespaces: [], version: 1 });
    const keys = first.diagnostics.filter((d) => d.kind === 'VirtualKey');
    expect(keys).toHaveLength(40);
    const conditions = (type: string, diagnostics = keys) => new Set(diagnostics.map((d) => d.conditions.find((c) => c.type === type)));
    // Two label classes (charged to the Budget or not): two Accepted conditions, one ResolvedRefs.
    expect(conditions('Accepted').size).toBe(2);
    expect(conditions('ResolvedRefs').size).toBe(1);
    const pay = keys.find((d) => d.name === 'key-0')?.conditions.find((c) => c.type === 'Accepted');
    expect(pay).toEqual({ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'key compiled; charged to budgets ai/pay' });

    // What readers see is what a compile of copies gives (no condition leaks between keys).
    const copies = compileRoutingTable({ ...structuredClone({ objects, secrets }), sharedNamespaces: [], version: 1 });
    expect(JSON.parse(JSON.stringify(first.diagnostics))).toEqual(JSON.parse(JSON.stringify(copies.diagnostics)));

    // A key without its Secret gets its own conditions; the others keep sharing theirs.
    const next = compileRoutingTable({ objects, secrets: secrets.slice(1), sharedNamespaces: [], version: 2, previous: first.state });
    const nextKeys = next.diagnostics.filter((d) => d.kind === 'VirtualKey');
    expect(nextKeys.find((d) => d.name === 'key-0')?.conditions.find((c) => c.type === 'ResolvedRefs')?.status).toBe('False');
    expect(conditions('ResolvedRefs', nextKeys).size).toBe(2);
    expect([...conditions('ResolvedRefs', nextKeys)]).toContain([...conditions('ResolvedRefs')][0]);
  });
});
