// The operator names no kind: a kind registered in this test alone (RouteNote) is watched,
// compiled and given status by the controller, next to the built-in kinds.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { BUILTIN_KINDS, condition, defineKind, DiagnosticReasons as R, type KindObject, type RoutingTable } from '@switchyard/compiler';
import { KubeClient } from '../../src/kube/kube-client.js';
import { EventRecorder } from '../../src/reconcile/event-recorder.js';
import { OperatorController } from '../../src/reconcile/operator-controller.js';
import type { PublishedTable } from '../../src/table-server/table-stream-server.js';

interface RouteNote extends KindObject {
  spec: { route: string };
}

const routeNoteKind = defineKind<RouteNote>({
  kind: 'RouteNote',
  names: {
    group: 'switchyard.dev',
    version: 'v1alpha1',
    plural: 'routenotes',
    singular: 'routenote',
    listKind: 'RouteNoteList',
    shortNames: ['note'],
    categories: ['switchyard'],
    crdFile: 'switchyard.dev_routenotes.yaml',
    printerColumns: [],
  },
  tableField: 'notes',
  selects: [],
  rbac: { resource: ['get', 'list', 'watch'], status: ['get', 'update', 'patch'] },
  referencedSecrets: () => [],
  compile(objects, context) {
    for (const { manifest, diagnostic } of objects) {
      const served = context.routes.some((route) => route.name === manifest.spec.route);
      diagnostic.conditions.push(
        condition('Accepted', served ? 'True' : 'False', served ? R.Accepted : R.UnresolvedRefs, `route ${manifest.spec.route}`),
      );
    }
  },
  tableObjects: () => [],
});

const OBJECTS: Record<string, unknown[]> = {
  modelroutes: [
    {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'ModelRoute',
      metadata: { name: 'chat', namespace: 'default', uid: 'u1', generation: 1, resourceVersion: '5' },
      spec: { model: 'chat', backends: [{ name: 'm', provider: 'mock', model: 'm' }] },
    },
  ],
  routenotes: [
    {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'RouteNote',
      metadata: { name: 'hello', namespace: 'default', uid: 'u2', generation: 3, resourceVersion: '6' },
      spec: { route: 'chat' },
    },
  ],
};

/** Lists the objects above (nothing for other resources), holds watches open, accepts writes. */
async function startFakeApi(): Promise<{ client: KubeClient; requests: string[]; patches: Map<string, unknown>; close(): Promise<void> }> {
  const requests: string[] = [];
  const patches = new Map<string, unknown>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://api');
    requests.push(`${req.method} ${url.pathname}`);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'GET' && (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return; // held open, no events
      }
      if (req.method === 'GET') {
        const plural = url.pathname.split('/').at(-1) ?? '';
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ metadata: { resourceVersion: '10' }, items: OBJECTS[plural] ?? [] }));
        return;
      }
      if (req.method === 'PATCH') patches.set(url.pathname, JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
    currentContext: 'fake',
  });
  const client = new KubeClient({ kubeConfig, requestTimeoutMs: 2_000 });
  return {
    client,
    requests,
    patches,
    async close() {
      client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe('OperatorController with a registered toy kind', () => {
  it('watches it, compiles it after the kinds it reads, and writes its status', async () => {
    const api = await startFakeApi();
    cleanup.push(() => api.close());
    const published: RoutingTable[] = [];
    const controller = new OperatorController({
      client: api.client,
      namespaces: undefined,
      sharedNamespaces: ['default'],
      publisher: {
        publish: (table) => {
          published.push(table);
          return {
            version: table.version,
            hash: table.hash,
            table,
            digest: '',
            frame: Buffer.alloc(0),
            encoded: undefined,
            delta: undefined,
          } satisfies PublishedTable;
        },
      },
      acknowledgements: { snapshot: () => ({ gateways: 0, pending: 0, hashes: [] }) },
      events: new EventRecorder({ client: api.client, replicaId: 'test' }),
      isLeader: () => true,
      compileDebounceMs: 5,
      kinds: BUILTIN_KINDS.with(routeNoteKind),
    });
    controller.start();
    cleanup.push(() => controller.stop());
    await controller.whenReady();
    await controller.settle();

    expect(api.requests).toContain('GET /apis/switchyard.dev/v1alpha1/routenotes');
    expect(Object.keys(published.at(-1)?.routes ?? {})).toEqual(['default/chat']);
    expect(controller.diagnosticsOf('RouteNote', 'default', 'hello')?.conditions).toEqual([
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'route chat' },
    ]);
    const patch = api.patches.get('/apis/switchyard.dev/v1alpha1/namespaces/default/routenotes/hello/status') as {
      status: { observedGeneration: number; conditions: { type: string; status: string }[] };
    };
    expect(patch.status.observedGeneration).toBe(3);
    expect(patch.status.conditions.map((c) => [c.type, c.status])).toEqual([
      ['Accepted', 'True'],
      ['Programmed', 'Unknown'],
    ]);
  });
});
