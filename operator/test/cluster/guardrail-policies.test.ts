// GuardrailPolicies in a cluster: applied with kubectl to a real kube-apiserver, compiled by the
// operator process (with the RBAC it ships with), streamed to a gateway process connected to it.
// Status shows Accepted and Programmed at the current generation with checkCount and keyCount;
// requests of the keys the policy selects by label are checked (a prompt blocked, an answer
// blocked), others are not, and relabelling a key with kubectl brings it under the policy. A
// catastrophic regular expression is refused where it is applied: Accepted=False, UnsafePattern.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { findFreePorts } from '../support/free-ports.js';
import {
  conditionOf,
  readyz,
  startClusterGateway,
  startOperatorProcess,
  startTestCluster,
  type GatewayProcess,
  type OperatorProcess,
  type TestCluster,
} from '../support/cluster.js';
import { describeWithControlPlane } from '../support/describe-with-control-plane.js';
import { waitFor } from '../support/wait-for.js';

type Obj = Record<string, any>;

const GATEWAY_SA = 'switchyard-gateway';
const SYSTEM = 'switchyard-system';
const CARD = '4111 1111 1111 1111';

const manifests = `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: chat, namespace: ai}
spec:
  model: chat
  backends:
  - {name: mock, provider: mock, model: echo, mock: {response: "the plan is Project Falcon"}}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: payments, namespace: ai, labels: {team: payments}}
spec: {secretName: payments-key}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: web, namespace: ai, labels: {team: web}}
spec: {secretName: web-key}
---
apiVersion: switchyard.dev/v1alpha1
kind: GuardrailPolicy
metadata: {name: pii, namespace: ai}
spec:
  selector: {matchLabels: {team: payments}}
  checks:
  - {name: cards, type: pii, entities: [credit_card], "on": input, action: block}
  - {name: words, type: denylist, phrases: ["project falcon"], "on": output, action: block}
`;

describeWithControlPlane('GuardrailPolicies in a cluster', () => {
  let cluster: TestCluster;
  let operator: OperatorProcess;
  let gateway: GatewayProcess;
  const keys: Record<string, string> = {};

  const policy = (name: string) => cluster.getJson<Obj>(['guardrailpolicy', name, '-n', 'ai']);
  /** Waits until the policy's conditions describe its current generation and `match` holds. */
  const policyWhen = (name: string, what: string, match: (object: Obj) => boolean, types = ['Accepted', 'Programmed']) =>
    waitFor(
      `GuardrailPolicy ai/${name}: ${what}`,
      async () => {
        const object = await policy(name);
        const generation = object.metadata.generation;
        const current = types.every((type) => conditionOf(object, type)?.observedGeneration === generation);
        return current && match(object) ? object : undefined;
      },
      30_000,
      200,
    );
  const ask = (key: string, content: string) =>
    new OpenAI({ apiKey: keys[key], baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 }).chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content }] })
      .then(
        (answer) => ({ text: answer.choices[0]?.message.content ?? '', error: undefined }),
        (error: unknown) => ({ text: '', error: error as InstanceType<typeof OpenAI.APIError> }),
      );

  beforeAll(async () => {
    cluster = await startTestCluster();
    await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/guardrailpolicies.switchyard.dev']);
    await cluster.kubectl(['create', 'namespace', 'ai']);
    const kubeconfigPath = await cluster.operatorKubeconfig();
    const tokenFile = await cluster.tokenFile(GATEWAY_SA, SYSTEM);
    const [listenPort] = (await findFreePorts(1)) as [number];
    operator = await startOperatorProcess({
      kubeconfigPath,
      listenPort,
      replicaId: 'operator-a',
      leaderElectionNamespace: SYSTEM,
      args: ['--gateway-service-account', `${SYSTEM}/${GATEWAY_SA}`],
    });
    await waitFor('operator ready', async () => (await readyz(operator.healthUrl)).status === 200, 30_000);
    gateway = await startClusterGateway({ controlPlaneUrl: operator.listenUrl, tokenFile, name: 'gateway-guardrails' });
    await waitFor('gateway ready', async () => (await readyz(gateway.url)).status === 200, 30_000);
    await cluster.apply(manifests);
    for (const name of ['payments', 'web']) {
      const secret = await waitFor(`the generated key Secret ${name}-key`, async () => {
        const list = await cluster.getJson<{ items: Array<{ metadata: { name: string }; data?: { key?: string } }> }>([
          'secrets',
          '-n',
          'ai',
        ]);
        return list.items.find((s) => s.metadata.name === `${name}-key` && s.data?.key !== undefined);
      });
      keys[name] = Buffer.from(secret.data?.key ?? '', 'base64').toString('utf8');
    }
  }, 240_000);

  afterAll(async () => {
    await gateway?.process.stop();
    await operator?.process.stop();
    await cluster?.stop();
  }, 120_000);

  it('is Accepted and Programmed at its generation, with checkCount and keyCount, and kubectl get shows them', async () => {
    const object = await policyWhen(
      'pii',
      'Accepted and Programmed',
      (o) => conditionOf(o, 'Accepted')?.status === 'True' && conditionOf(o, 'Programmed')?.status === 'True',
    );
    expect(object.status.checkCount).toBe(2);
    expect(object.status.keyCount).toBe(1);
    expect(object.status.observedGeneration).toBe(object.metadata.generation);
    const table = await cluster.kubectl(['get', 'guardrailpolicies', '-n', 'ai']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+CHECKS\s+KEYS\s+ACCEPTED\s+AGE$/);
    expect(table).toMatch(/\npii\s+2\s+1\s+True\s/);
  }, 60_000);

  it('blocks the selected key’s prompt and answer through the connected gateway, and leaves the other key alone', async () => {
    // The table with the policy has reached the gateway (Programmed), so the first request is already checked.
    const prompt = await ask('payments', `charge ${CARD}`);
    expect(prompt.error?.status).toBe(400);
    expect(prompt.error?.code).toBe('guardrail_blocked');
    expect(prompt.error?.message).toContain('GuardrailPolicy ai/pii, check cards');
    expect(prompt.error?.message).not.toContain('4111');

    const answer = await ask('payments', 'what is the plan?');
    expect(answer.error?.code).toBe('guardrail_blocked');
    expect(answer.error?.message).toContain('the answer was blocked by GuardrailPolicy ai/pii, check words');

    const other = await ask('web', `charge ${CARD}`);
    expect(other.error).toBeUndefined();
    expect(other.text).toBe('the plan is Project Falcon');
  }, 30_000);

  it('brings a key under the policy when kubectl relabels it', async () => {
    await cluster.kubectl(['label', 'virtualkey', 'web', '-n', 'ai', 'team=payments', '--overwrite']);
    await policyWhen('pii', 'keyCount 2', (o) => o.status?.keyCount === 2 && conditionOf(o, 'Programmed')?.status === 'True');
    const prompt = await waitFor(
      'the relabelled key blocked',
      async () => {
        const outcome = await ask('web', `charge ${CARD}`);
        return outcome.error?.code === 'guardrail_blocked' ? outcome : undefined;
      },
      20_000,
      200,
    );
    expect(prompt.error?.message).toContain('check cards');
  }, 60_000);

  it('refuses a catastrophic regular expression where it is applied: Accepted=False, UnsafePattern, with the message', async () => {
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: GuardrailPolicy
metadata: {name: nested, namespace: ai}
spec:
  selector: {matchLabels: {team: payments}}
  checks:
  - {name: nested, type: regex, pattern: "(a+)+$", "on": input, action: block}
`);
    const refused = await policyWhen('nested', 'Accepted=False', (o) => conditionOf(o, 'Accepted')?.status === 'False', ['Accepted']);
    expect(conditionOf(refused, 'Accepted')).toMatchObject({ reason: 'UnsafePattern' });
    expect(conditionOf(refused, 'Accepted')?.message).toContain('spec.checks[0] (nested): pattern refused');
    // The other policy keeps working.
    expect((await ask('payments', `charge ${CARD}`)).error?.code).toBe('guardrail_blocked');
  }, 60_000);
});
