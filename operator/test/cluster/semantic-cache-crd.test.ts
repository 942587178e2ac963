// `spec.cache.semantic` on a real API server: the CRD installs with its CEL rules within the API
// server's cost budget, a route with every semantic field is accepted and defaulted as the CRD
// says, and the CEL rules refuse with the CRD's messages (the standalone twins say the same,
// compiler/test/route-semantic-cache-policy.test.ts).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { describeWithControlPlane } from '../support/describe-with-control-plane.js';

describeWithControlPlane('ModelRoute spec.cache.semantic on a real API server', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  const apply = (name: string, semantic: string) =>
    cluster.plane.kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: ${name}, namespace: default}
spec:
  model: ${name}
  cache:
    ttl: 10m
    semantic: ${semantic}
  backends:
  - {name: mini, provider: mock, model: mini}
`,
    );

  it('accepts every field and defaults the rest', async () => {
    const full = await apply(
      'full',
      '{embeddingModel: embeddings, threshold: 0.95, maxEntriesPerPartition: 64, maxTemperature: 0.5, maxTurnChars: 500}',
    );
    expect(full.stderr).toBe('');
    expect(full.code).toBe(0);
    const defaulted = await apply('defaulted', '{embeddingModel: embeddings}');
    expect(defaulted.code).toBe(0);
    const stored = await cluster.getJson<Record<string, any>>(['modelroute', 'defaulted', '-n', 'default']);
    expect(stored.spec.cache.semantic).toEqual({
      embeddingModel: 'embeddings',
      threshold: 0.9,
      maxEntriesPerPartition: 256,
      maxTemperature: 1,
      maxTurnChars: 2000,
    });
  });

  it.each([
    ['a threshold above 1', '{embeddingModel: e, threshold: 1.5}', 'threshold must be greater than 0 and at most 1'],
    ['a threshold of 0', '{embeddingModel: e, threshold: 0}', 'threshold must be greater than 0 and at most 1'],
    ['a temperature ceiling above 2', '{embeddingModel: e, maxTemperature: 2.5}', 'maxTemperature must be between 0 and 2'],
    ['no embedding model', '{threshold: 0.9}', 'embeddingModel: Required value'],
  ])('refuses %s with the CRD message', async (_name, semantic, message) => {
    const result = await apply('refused', semantic);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
