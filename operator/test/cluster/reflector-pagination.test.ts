// The reflector's initial list against a real kube-apiserver, in pages: at 100,000 keys one
// list of every Secret would be a single response of hundreds of MB that the API server builds
// and the operator parses at once. With a small page size the list takes several requests with
// `limit` and `continue`, the store gets every object once, and the watch that follows starts
// from the list's resourceVersion (nothing created after the list is missed).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { KubeClient } from '../../src/kube/kube-client.js';
import { SECRETS, type KubeObject } from '../../src/kube/resources.js';
import { Reflector, type StoreEvent } from '../../src/watch/reflector.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { describeWithControlPlane } from '../support/describe-with-control-plane.js';
import { waitFor } from '../support/wait-for.js';

const NAMESPACE = 'paging';
const SECRETS_CREATED = 23;
const PAGE_SIZE = 5;

describeWithControlPlane('reflector list pagination against a real API server', () => {
  let cluster: TestCluster;
  let client: KubeClient;

  beforeAll(async () => {
    cluster = await startTestCluster();
    client = KubeClient.fromKubeconfig(cluster.kubeconfigPath);
    await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    for (let i = 0; i < SECRETS_CREATED; i++) {
      await client.create(`/api/v1/namespaces/${NAMESPACE}/secrets`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `s-${String(i).padStart(2, '0')}`, labels: { team: `t${i % 3}` } },
        stringData: { key: `value-${i}` },
      });
    }
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('lists in pages of `limit` with continue tokens, caches every object once, and watches from the list', async () => {
    const lists: string[] = [];
    // The reflector's client, with every list request (a GET that is not a watch) recorded.
    const recording = Object.create(client) as KubeClient;
    recording.get = <T>(path: string): Promise<T> => {
      if (!path.includes('watch=')) lists.push(path);
      return client.get<T>(path);
    };
    const events: Array<StoreEvent<KubeObject>> = [];
    const reflector = new Reflector<KubeObject>({
      client: recording,
      type: SECRETS,
      namespace: NAMESPACE,
      pageSize: PAGE_SIZE,
      onEvent: (event) => events.push(event),
    });
    reflector.start();
    try {
      await waitFor('the first list', () => reflector.synced, 30_000);
      // The namespace's default ServiceAccount token Secret is not created without the
      // controller manager: exactly the Secrets above.
      expect(reflector.store.size).toBe(SECRETS_CREATED);
      expect(lists).toHaveLength(Math.ceil(SECRETS_CREATED / PAGE_SIZE));
      const params = lists.map((path) => new URL(path, 'https://api').searchParams);
      expect(params.every((p) => p.get('limit') === String(PAGE_SIZE))).toBe(true);
      expect(params[0]?.has('continue')).toBe(false);
      expect(params.slice(1).every((p) => (p.get('continue') ?? '') !== '')).toBe(true);
      expect(events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name)).toHaveLength(SECRETS_CREATED);
      const cached = reflector.store.get(`${NAMESPACE}/s-07`) as KubeObject & { data?: Record<string, string> };
      expect(cached).toMatchObject({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 's-07', labels: { team: 't1' } } });
      expect(Buffer.from(cached.data?.key ?? '', 'base64').toString()).toBe('value-7');

      // Created after the list: the watch, started from the list's resourceVersion, delivers it.
      await client.create(`/api/v1/namespaces/${NAMESPACE}/secrets`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'after-the-list' },
        stringData: { key: 'late' },
      });
      await waitFor('the watch event', () => reflector.store.has(`${NAMESPACE}/after-the-list`), 30_000);
      expect(lists).toHaveLength(Math.ceil(SECRETS_CREATED / PAGE_SIZE));
    } finally {
      await reflector.stop();
    }
  }, 120_000);
});
