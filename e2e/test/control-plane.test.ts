import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { locateControlPlaneBinaries, startControlPlane, type ControlPlane } from '../src/index.js';
import { eventually, jsonItems, jsonPath } from './support/json-path.js';

const binaries = locateControlPlaneBinaries();
const describeWhenBuilt = binaries.missing.length === 0 ? describe : describe.skip;
if (binaries.missing.length > 0) {
  console.warn(`SKIPPED control-plane tests: ${binaries.missing.join(', ')} not built in ${binaries.binDir}; run \`make e2e-build\` first`);
}

describeWhenBuilt('test control plane: etcd + kube-apiserver + kube-controller-manager', () => {
  let plane: ControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({ controllerManager: true });
  }, 240_000);

  afterAll(async () => {
    await plane?.stop();
  }, 60_000);

  it('applies a ConfigMap with kubectl and reads it back', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'switchyard-e2e', namespace: 'default' },
      data: { route: 'gpt-4o -> openai' },
    });
    const applied = await plane.kubectl(['apply', '-f', '-'], manifest);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim()).toBe('configmap/switchyard-e2e created');

    const got = await plane.kubectl(['get', 'configmap', 'switchyard-e2e', '-o', 'json']);
    expect(got.code).toBe(0);
    expect(jsonPath(JSON.parse(got.stdout), 'data', 'route')).toBe('gpt-4o -> openai');
  });

  it('mints a ServiceAccount token that TokenReview authenticates for its audience only', async () => {
    expect((await plane.kubectl(['create', 'serviceaccount', 'gateway', '-n', 'default'])).code).toBe(0);
    const minted = await plane.kubectl(['create', 'token', 'gateway', '-n', 'default', '--audience', 'switchyard']);
    expect(minted.code).toBe(0);
    const token = minted.stdout.trim();
    expect(token.split('.')).toHaveLength(3);

    const review = await plane.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, audiences: ['switchyard'] },
    });
    expect(review.status).toBe(201);
    expect(jsonPath(review.json, 'status', 'authenticated')).toBe(true);
    expect(jsonPath(review.json, 'status', 'user', 'username')).toBe('system:serviceaccount:default:gateway');
    expect(jsonPath(review.json, 'status', 'audiences')).toEqual(['switchyard']);

    const wrongAudience = await plane.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, audiences: ['someone-else'] },
    });
    expect(wrongAudience.status).toBe(201);
    expect(jsonPath(wrongAudience.json, 'status', 'authenticated')).not.toBe(true);
    expect(String(jsonPath(wrongAudience.json, 'status', 'error'))).toMatch(/audience/i);
  });

  it('turns a Deployment into a ReplicaSet and Pods (kube-controller-manager runs)', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'echo', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'echo' } },
        // Never pulled: there is no kubelet. The Pods only have to exist.
        template: {
          metadata: { labels: { app: 'echo' } },
          spec: { containers: [{ name: 'echo', image: 'registry.invalid/echo:never-pulled' }] },
        },
      },
    };
    const created = await plane.kubectl(['create', '-f', '-'], JSON.stringify(deployment));
    expect(created.code).toBe(0);

    const replicaSet = await eventually('a ReplicaSet owned by the Deployment', 60_000, async () => {
      const list = await plane.request('GET', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Decho');
      return jsonItems(list.json).find((item) => jsonPath(item, 'metadata', 'ownerReferences', 0, 'name') === 'echo');
    });
    const replicaSetName = jsonPath(replicaSet, 'metadata', 'name');
    expect(typeof replicaSetName).toBe('string');

    const pods = await eventually('two Pods owned by the ReplicaSet', 60_000, async () => {
      const list = await plane.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Decho');
      const owned = jsonItems(list.json).filter((item) => jsonPath(item, 'metadata', 'ownerReferences', 0, 'name') === replicaSetName);
      return owned.length === 2 ? owned : undefined;
    });
    // ServiceAccount admission is on when the controller manager runs: Pods get the default SA.
    for (const pod of pods) expect(jsonPath(pod, 'spec', 'serviceAccountName')).toBe('default');
  });

  it('gives helm the same cluster', async () => {
    const listed = await plane.helm(['list', '--all-namespaces', '-o', 'json']);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});
