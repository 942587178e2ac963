// The ModelRoute routing fields on a real API server: the CRD installs with its CEL rules within
// the API server's cost budget, a route using every routing field is accepted as written, and
// the rules' CEL checks refuse with the CRD's messages (the standalone twins say the same,
// compiler/test/route-routing-policy.test.ts).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { describeWithControlPlane } from '../support/describe-with-control-plane.js';

describeWithControlPlane('ModelRoute routing fields on a real API server', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('accepts a route with strategy, rules, affinity, labels and capabilities', async () => {
    const result = await cluster.plane.kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: routed, namespace: default}
spec:
  model: routed
  strategy: cheapest
  rules:
  - match: {tags: ["classify"], maxPromptTokens: 4000, hasTools: false}
    backends: [mini]
  - name: vision
    match: {hasImages: true, metadata: {task: look}, frontDoors: [anthropic], keyLabels: {team: a}}
    backends: [mini, big]
  - name: extract
    match: {tags: ["extract"]}
    route: cheap-extractor
  affinity: {enabled: true, ttl: 5m}
  backends:
  - name: mini
    provider: mock
    model: mini
    labels: {region: eu}
    capabilities: {contextWindow: 128000, vision: true, tools: true}
  - {name: big, provider: mock, model: big, capabilities: {maxOutputTokens: 64000, jsonSchema: true, reasoning: true}}
`,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const stored = await cluster.getJson<Record<string, any>>(['modelroute', 'routed', '-n', 'default']);
    expect(stored.spec.rules[0]).toEqual({ match: { tags: ['classify'], maxPromptTokens: 4000, hasTools: false }, backends: ['mini'] });
    expect(stored.spec.rules[2]).toEqual({ name: 'extract', match: { tags: ['extract'] }, route: 'cheap-extractor' });
    expect(stored.spec.affinity).toEqual({ enabled: true, ttl: '5m' });
  });

  it.each([
    [
      'a rule naming a backend the route lacks',
      'rules: [{match: {}, backends: [nano]}]',
      'every backend a rule names must be a backend of this route',
    ],
    [
      'minPromptTokens above maxPromptTokens',
      'rules: [{match: {minPromptTokens: 5, maxPromptTokens: 4}, backends: [mini]}]',
      'minPromptTokens must be <= maxPromptTokens',
    ],
    ['an affinity ttl over 24h', 'affinity: {enabled: true, ttl: 25h}', 'must be between 1s and 24h'],
    [
      'a rule naming backends and a route',
      'rules: [{match: {}, backends: [mini], route: other}]',
      'a rule names either backends or a route, not both and not neither',
    ],
    ["a rule naming the route's own model", 'rules: [{match: {}, route: refused}]', "a rule's route must be another model"],
  ])('refuses %s with the CRD message', async (_name, field, message) => {
    const result = await cluster.plane.kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: refused, namespace: default}
spec:
  model: refused
  ${field}
  backends:
  - {name: mini, provider: mock, model: mini}
`,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
