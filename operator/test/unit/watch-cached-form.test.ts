// What the watch caches keep of each object (watch/cached-form.ts). Objects go through the real
// KindWatches from a stand-in API server that answers lists and holds watches open, decorated the
// way an API server returns them (managedFields of several writers, kubectl's last-applied
// annotation, ownerReferences, finalizers, status conditions written in bulk by the operator).
// The cached form must compile to the same table as the objects the API server sent (nothing a
// reader uses is dropped), drop what no reader uses, and share the condition lists and last
// writers that repeat across objects instead of holding a copy per object.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { BUILTIN_KINDS, compileRoutingTable, silentLogger, type KindObject, type SecretManifest } from '@switchyard/compiler';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/resources.js';
import { KindWatches } from '../../src/reconcile/kind-watches.js';
import { scaleInput } from '../support/scale-input.js';
import { waitFor } from '../support/wait-for.js';

type Loose = Record<string, unknown> & { metadata: Record<string, unknown> };

const STATUS_TIMES = ['2026-12-07T16:26:59Z', '2026-12-07T16:27:00Z'];

/** An object as the API server returns it, with everything the operator does not read. */
function asServed(object: { kind?: string; metadata: object }, i: number): Loose {
  const served = structuredClone(object) as Loose;
  const spec = JSON.stringify(object);
  served.metadata = {
    ...served.metadata,
    uid: `9755d2c2-c987-40f7-bad8-${String(i).padStart(12, '0')}`,
    resourceVersion: String(1000 + i),
    creationTimestamp: (served.metadata['creationTimestamp'] as string | undefined) ?? '2026-12-07T16:26:04Z',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': spec, 'meta.helm.sh/release-name': 'team' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'owner-uid' }],
    finalizers: ['example.com/keep'],
    managedFields: [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        time: '2026-12-07T16:26:04Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': {} },
      },
      {
        manager: 'switchyard-operator',
        operation: 'Update',
        time: '2026-12-07T16:27:00Z',
        subresource: 'status',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': {} },
      },
    ],
  };
  if (served.kind !== 'Secret') {
    // Written by the operator's status write-out: the same conditions, 100 objects a second.
    const time = STATUS_TIMES[i % 2] as string;
    served['status'] = {
      observedGeneration: 1,
      conditions: [
        { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'compiled', observedGeneration: 1, lastTransitionTime: time },
        {
          type: 'Programmed',
          status: 'True',
          reason: 'Programmed',
          message: 'every connected gateway acknowledged a routing table containing generation 1',
          observedGeneration: 1,
          lastTransitionTime: time,
        },
      ],
    };
  }
  return served;
}

/** Answers list requests from `items` by resource plural; holds every watch open without events. */
async function startListingApi(items: Map<string, unknown[]>): Promise<{ client: KubeClient; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('watch') !== null) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return;
    }
    const plural = url.pathname.split('/').at(-1) ?? '';
    const list = items.get(plural) ?? [];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ metadata: { resourceVersion: '99999' }, items: list }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { client: new KubeClient({ kubeConfig, requestTimeoutMs: 5_000 }), server };
}

describe('the watch caches keep what the operator reads', () => {
  const input = scaleInput({ routes: 20, keys: 200, budgets: 12, namespaces: 3 });
  const served = {
    routes: (input.routes as KindObject[]).map(asServed),
    keys: (input.virtualKeys as KindObject[]).map(asServed),
    budgets: (input.budgets as KindObject[]).map(asServed),
    secrets: (input.secrets as SecretManifest[]).map(asServed),
  };
  let watches: KindWatches;
  let server: Server;
  let client: KubeClient;

  beforeAll(async () => {
    // Lists drop apiVersion and kind from their items, as the API server's do.
    const bare = (objects: Loose[]) => objects.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    ({ client, server } = await startListingApi(
      new Map([
        ['modelroutes', bare(served.routes)],
        ['virtualkeys', bare(served.keys)],
        ['budgets', bare(served.budgets)],
        ['secrets', bare(served.secrets)],
      ]),
    ));
    watches = new KindWatches({
      client,
      kinds: BUILTIN_KINDS,
      namespaces: undefined,
      logger: silentLogger,
      onObjectEvent: () => {},
      onSecretEvent: () => {},
      onConfigMapEvent: () => {},
      onServiceAccountEvent: () => {},
      onListed: () => watches.startSecretsWhenReady(),
      shapeSecret: (secret) => secret,
      shapeConfigMap: (configMap) => configMap,
    });
    watches.startKinds();
    await waitFor('the caches to list', () => watches.synced, 20_000, 20);
  });

  afterAll(async () => {
    await watches?.stop();
    client?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('compiles the cached objects to the same table and diagnostics as the objects served', () => {
    const compile = (objects: KindObject[], secrets: SecretManifest[]) =>
      compileRoutingTable({
        objects,
        secrets,
        sharedNamespaces: input.sharedNamespaces ?? [],
        version: 7,
        kinds: BUILTIN_KINDS,
        clock: () => new Date(7_000),
      });
    const fromServer = compile(
      [...served.routes, ...served.keys, ...served.budgets] as unknown as KindObject[],
      served.secrets as unknown as SecretManifest[],
    );
    const fromCache = compile([...watches.objects()], [...watches.secrets.values()]);
    expect(watches.cacheOf('VirtualKey').size).toBe(served.keys.length);
    expect(BUILTIN_KINDS.get('VirtualKey').tableObjects(fromCache.table)).toHaveLength(served.keys.length);
    expect(fromCache.table.hash).toBe(fromServer.table.hash);
    expect(fromCache.diagnostics).toEqual(fromServer.diagnostics);
  });

  it('drops annotations, owner references, finalizers and every managedFields entry but the last writer', () => {
    for (const object of [...watches.objects(), ...watches.secrets.values()] as KubeObject[]) {
      const metadata = object.metadata as unknown as Record<string, unknown>;
      expect(metadata['annotations']).toBeUndefined();
      expect(metadata['ownerReferences']).toBeUndefined();
      expect(metadata['finalizers']).toBeUndefined();
      expect(metadata['managedFields']).toEqual([
        { manager: 'kubectl-client-side-apply', operation: 'Update', time: '2026-12-07T16:26:04Z' },
      ]);
    }
  });

  it('holds one copy of each condition list and last writer that repeat across objects', () => {
    const keys = [...watches.cacheOf('VirtualKey').values()] as Array<KubeObject & { status: { conditions: unknown[] } }>;
    const lists = new Set(keys.map((key) => key.status.conditions));
    // Two transition seconds: two lists for 200 keys, not 200.
    expect(lists.size).toBe(2);
    const writers = new Set(
      [...watches.objects(), ...watches.secrets.values()].map((o) => (o.metadata as { managedFields?: unknown }).managedFields),
    );
    expect(writers.size).toBe(1);
    // Equal conditions in different lists are one object too (Accepted differs only by time: not shared).
    const [first, second] = keys as [(typeof keys)[0], (typeof keys)[0]];
    expect(first.status.conditions).not.toBe(second.status.conditions);
    expect(first.status.conditions).toEqual((keys[2] as (typeof keys)[0]).status.conditions);
    // The shared values are frozen: a reader that mutated one would change every object holding it.
    expect(Object.isFrozen(first.status.conditions)).toBe(true);
    expect(Object.isFrozen(first.status.conditions[0])).toBe(true);
  });
});
