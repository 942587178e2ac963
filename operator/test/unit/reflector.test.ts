import { afterEach, describe, expect, it } from '@jest/globals';
import { MODEL_ROUTES, type KubeObject } from '../../src/kube/resources.js';
import { Reflector, type StoreEvent } from '../../src/watch/reflector.js';
import { json, startScriptedApi, watchEvents, type ScriptedApi } from '../support/scripted-api-server.js';
import { waitFor } from '../support/wait-for.js';

const obj = (name: string, rv: number): KubeObject => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelRoute',
  metadata: { name, namespace: 'ai', resourceVersion: String(rv) },
});
const list = (rv: number, ...items: KubeObject[]) => ({ kind: 'ModelRouteList', metadata: { resourceVersion: String(rv) }, items });

describe('Reflector', () => {
  let api: ScriptedApi | undefined;
  let reflector: Reflector<KubeObject> | undefined;
  afterEach(async () => {
    await reflector?.stop();
    await api?.close();
  });

  it('resumes, relists on 410 with synthesized deletes, restarts stalled and failed watches', async () => {
    api = await startScriptedApi([
      json(list(10, obj('a', 5), obj('b', 6))),
      watchEvents([
        { type: 'ADDED', object: obj('c', 11) },
        { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } },
      ]),
      json(list(20, obj('a', 5), obj('c', 11))),
      watchEvents([]), // silent: the inactivity timeout must end it
      watchEvents([{ type: 'BOOKMARK', object: { kind: 'ModelRoute', metadata: { resourceVersion: '25' } } }], 'end'),
      json({ kind: 'Status', code: 500, message: 'etcd leader changed' }, 500),
      watchEvents([{ type: 'MODIFIED', object: obj('a', 30) }]),
    ]);
    const events: Array<StoreEvent<KubeObject>> = [];
    const errors: string[] = [];
    reflector = new Reflector<KubeObject>({
      client: api.client,
      type: MODEL_ROUTES,
      namespace: 'ai',
      onEvent: (event) => events.push(event),
      onError: (reason) => errors.push(reason),
      inactivityTimeoutMs: 300,
      backoffInitialMs: 20,
      backoffMaxMs: 50,
    });
    reflector.start();
    await waitFor('the last event', () => events.some((e) => e.type === 'MODIFIED' && e.object.metadata.resourceVersion === '30'), 10_000);

    const summary = events.map((e) => `${e.type} ${e.object.metadata.name}${e.fromRelist ? ' (relist)' : ''}`);
    expect(summary).toEqual(['ADDED a (relist)', 'ADDED b (relist)', 'ADDED c', 'DELETED b (relist)', 'MODIFIED a']);
    expect([...reflector.store.keys()].sort()).toEqual(['ai/a', 'ai/c']);
    expect(errors).toEqual(['gone', 'stalled', 'watch']);

    const paths = api.requests.map((r) => {
      const url = new URL(r.split(' ')[1] as string, 'http://x');
      return url.searchParams.get('watch') ? `watch rv=${url.searchParams.get('resourceVersion')}` : 'list';
    });
    expect(paths).toEqual(['list', 'watch rv=10', 'list', 'watch rv=20', 'watch rv=20', 'watch rv=25', 'watch rv=25']);
    expect(api.requests[0]).toContain('/apis/switchyard.dev/v1alpha1/namespaces/ai/modelroutes?limit=500');
    expect(api.requests[1]).toContain('allowWatchBookmarks=true');
  });

  it('keeps retrying a list that fails (e.g. the CRD is not installed yet) and syncs when it works', async () => {
    api = await startScriptedApi([
      json({ kind: 'Status', code: 404, message: 'not found' }, 404),
      json({ kind: 'Status', code: 404 }, 404),
      json(list(3, obj('a', 2))),
      watchEvents([]),
    ]);
    reflector = new Reflector<KubeObject>({
      client: api.client,
      type: MODEL_ROUTES,
      onEvent: () => {},
      backoffInitialMs: 10,
      backoffMaxMs: 20,
    });
    reflector.start();
    await waitFor('synced', () => reflector?.synced);
    expect(reflector.store.size).toBe(1);
    expect(api.requests[0]).toMatch(/^GET \/apis\/switchyard.dev\/v1alpha1\/modelroutes\?/);
  });

  it('pages through large lists with continue tokens', async () => {
    api = await startScriptedApi([
      json({ metadata: { resourceVersion: '7', continue: 'page-2' }, items: [obj('a', 1)] }),
      json({ metadata: { resourceVersion: '7' }, items: [obj('b', 2)] }),
      watchEvents([]),
    ]);
    reflector = new Reflector<KubeObject>({ client: api.client, type: MODEL_ROUTES, onEvent: () => {}, pageSize: 1 });
    reflector.start();
    await waitFor('synced', () => reflector?.synced);
    expect(reflector.store.size).toBe(2);
    expect(api.requests[1]).toContain('continue=page-2');
    await api.nthRequest(3);
    expect(api.requests[2]).toContain('resourceVersion=7');
  });
});
