// Cluster mode end to end against a real kube-apiserver: the operator as a process, two gateway
// processes fed by its table stream, the OpenAI SDK as the client. One control plane for the
// whole file; the steps build on each other, in order.
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

const GATEWAY_SA = 'switchyard-gateway';
const SYSTEM = 'switchyard-system';

function route(name: string, model: string, answer: string, extra = ''): string {
  return `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: ${name}, namespace: default}
spec:
  model: ${model}
  backends:
  - name: mock-${name}
    provider: mock
    model: echo
    mock: {response: "${answer}"}
${extra}`;
}

const virtualKey = `
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: checkout, namespace: default, labels: {team: payments}}
spec:
  secretName: checkout-key
`;

async function ask(gateway: GatewayProcess, apiKey: string, model: string): Promise<{ text: string; backend: string | null }> {
  const client = new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
  const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] }).withResponse();
  return { text: data.choices[0]?.message.content ?? '', backend: response.headers.get('x-switchyard-backend') };
}

describeWithControlPlane('cluster mode: operator + two gateways against a real API server', () => {
  let cluster: TestCluster;
  let operator: OperatorProcess;
  let listenPort: number;
  let tokenFile: string;
  let apiKey = '';
  const gateways: GatewayProcess[] = [];
  const extraProcesses: Array<{ stop(): Promise<void> }> = [];

  let operatorKubeconfig: string;
  const operatorArgs = () => [
    '--gateway-service-account',
    `${SYSTEM}/${GATEWAY_SA}`,
    '--lease-duration',
    '4s',
    '--renew-deadline',
    '3s',
    '--retry-period',
    '1s',
  ];
  // The operator runs as its ServiceAccount with exactly operator/rbac/: the RBAC is tested too.
  const allOperators: OperatorProcess[] = [];
  const startOperator = async (listenPort: number, replicaId: string) => {
    const started = await startOperatorProcess({
      kubeconfigPath: operatorKubeconfig,
      listenPort,
      replicaId,
      leaderElectionNamespace: SYSTEM,
      args: operatorArgs(),
    });
    allOperators.push(started);
    return started;
  };

  beforeAll(async () => {
    cluster = await startTestCluster();
    [listenPort] = (await findFreePorts(1)) as [number];
    operatorKubeconfig = await cluster.operatorKubeconfig();
    tokenFile = await cluster.tokenFile(GATEWAY_SA, SYSTEM);
    operator = await startOperator(listenPort, 'operator-a');
  }, 240_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.process.stop();
    for (const proc of extraProcesses) await proc.stop();
    await operator?.process.stop();
    await cluster?.stop();
  }, 120_000);

  it('generates the VirtualKey Secret with an owner reference and sets keyHint and conditions', async () => {
    await cluster.apply(`${route('chat', 'gpt-test', 'one')}---${virtualKey}`);
    const secret = await waitFor('the generated key Secret', async () => {
      const list = await cluster.getJson<{ items: Array<Record<string, any>> }>(['secrets', '-n', 'default']);
      return list.items.find((s) => s.metadata.name === 'checkout-key');
    });
    const vk = await cluster.getJson<Record<string, any>>(['virtualkey', 'checkout', '-n', 'default']);
    expect(secret.metadata.ownerReferences).toEqual([
      { apiVersion: 'switchyard.dev/v1alpha1', kind: 'VirtualKey', name: 'checkout', uid: vk.metadata.uid, controller: true },
    ]);
    expect(secret.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'switchyard-operator',
      'switchyard.dev/virtual-key': 'checkout',
    });
    apiKey = Buffer.from(secret.data.key as string, 'base64').toString('utf8');
    expect(apiKey).toMatch(/^sk-sy-[A-Za-z0-9]{40}$/);

    const keyStatus = await waitFor('VirtualKey status', async () => {
      const current = await cluster.getJson<Record<string, any>>(['virtualkey', 'checkout', '-n', 'default']);
      return conditionOf(current, 'Accepted')?.status === 'True' && current.status?.keyHint ? current : undefined;
    });
    expect(keyStatus.status.keyHint).toBe(`sk-sy-...${apiKey.slice(-4)}`);
    expect(keyStatus.status.observedGeneration).toBe(1);
    expect(conditionOf(keyStatus, 'ResolvedRefs')).toMatchObject({ status: 'True', observedGeneration: 1 });
    const routeStatus = await waitFor('ModelRoute Accepted', async () => {
      const current = await cluster.getJson<Record<string, any>>(['modelroute', 'chat', '-n', 'default']);
      return conditionOf(current, 'Accepted')?.status === 'True' ? current : undefined;
    });
    expect(conditionOf(routeStatus, 'Accepted')?.message).toContain('"gpt-test"');

    // The key never appears in status, Events or the operator's logs.
    const everything = JSON.stringify(await cluster.getJson(['virtualkeys,modelroutes,events', '-n', 'default'])) + operator.process.logs();
    expect(everything).not.toContain(apiKey);
  });

  it('serves the table to two gateways, which answer the OpenAI SDK with the generated key', async () => {
    for (const name of ['gateway-1', 'gateway-2']) {
      gateways.push(await startClusterGateway({ controlPlaneUrl: operator.listenUrl, tokenFile, name }));
    }
    for (const gateway of gateways) {
      await waitFor('gateway ready', async () => (await readyz(gateway.url)).status === 200);
      expect(await ask(gateway, apiKey, 'gpt-test')).toEqual({ text: 'one', backend: 'mock-chat' });
    }
    // Both gateways acknowledged: Programmed=True for generation 1.
    await waitFor('Programmed=True', async () => {
      const current = await cluster.getJson(['modelroute', 'chat', '-n', 'default']);
      const programmed = conditionOf(current, 'Programmed');
      return programmed?.status === 'True' && programmed.observedGeneration === 1;
    });
  });

  it('brings a route change to both gateways', async () => {
    const applied = Date.now();
    await cluster.apply(route('chat', 'gpt-test', 'two'));
    const afterKubectl = Date.now();
    await Promise.all(
      gateways.map((gateway) => waitFor('the new answer', async () => (await ask(gateway, apiKey, 'gpt-test')).text === 'two', 10_000, 20)),
    );
    const served = Date.now();
    console.log(
      `apply -> both gateways serving: ${served - applied} ms (from kubectl start), ${served - afterKubectl} ms (from kubectl exit)`,
    );
    expect(served - afterKubectl).toBeLessThan(5_000);
    await waitFor('Programmed=True at generation 2', async () => {
      const programmed = conditionOf(await cluster.getJson(['modelroute', 'chat', '-n', 'default']), 'Programmed');
      return programmed?.status === 'True' && programmed.observedGeneration === 2;
    });
  });

  it('routes by rules, strategy and capabilities compiled by the operator', async () => {
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: routed, namespace: default}
spec:
  model: routed
  strategy: cheapest
  rules:
  - match: {tags: [classify], keyLabels: {team: payments}}
    backends: [mini]
  affinity: {enabled: true}
  backends:
  - {name: mini, provider: mock, model: echo, capabilities: {contextWindow: 1000}, pricing: {inputPerMillion: "5", outputPerMillion: "15"}}
  - {name: big, provider: mock, model: echo, pricing: {inputPerMillion: "0.10", outputPerMillion: "0.40"}}
`);
    const gateway = gateways[0] as GatewayProcess;
    const client = new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
    const backendFor = async (content: string, tags?: string): Promise<string | null> => {
      const { response } = await client.chat.completions
        .create(
          { model: 'routed', messages: [{ role: 'user', content }] },
          tags === undefined ? {} : { headers: { 'x-switchyard-tags': tags } },
        )
        .withResponse();
      return response.headers.get('x-switchyard-backend');
    };
    await waitFor('the routed model', async () => (await backendFor('hi').catch(() => null)) !== null);
    // No rule matches: the cheapest backend. The key's label and the tag match the rule: mini.
    expect(await backendFor('hi')).toBe('big');
    expect(await backendFor('hi', 'classify')).toBe('mini');
    // The rule's only backend cannot take the prompt: a 400 that says why.
    // (12,000 characters of words: over 1,000 tokens by any tokenizer.)
    const refused = await backendFor('lorem ipsum '.repeat(1000), 'classify').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((refused as Error).message)).toContain('exceeds its contextWindow of 1000');
  });

  it('keeps a conversation on one backend by affinity compiled by the operator', async () => {
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: sticky, namespace: default}
spec:
  model: sticky
  affinity: {enabled: true, ttl: 1m}
  backends:
  - {name: left, provider: mock, model: echo}
  - {name: right, provider: mock, model: echo}
`);
    const gateway = gateways[0] as GatewayProcess;
    const client = new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
    const backendFor = async (conversation: string): Promise<string | null> => {
      const { response } = await client.chat.completions
        .create({ model: 'sticky', prompt_cache_key: conversation, messages: [{ role: 'user', content: 'next turn' }] })
        .withResponse();
      return response.headers.get('x-switchyard-backend');
    };
    await waitFor('the sticky model', async () => (await backendFor('warm-up').catch(() => null)) !== null);
    // Two equally weighted backends: without affinity, twelve turns on one backend has odds of 1 in 2048.
    for (const conversation of ['conversation-a', 'conversation-b']) {
      const turns = new Set<string | null>();
      for (let turn = 0; turn < 12; turn++) turns.add(await backendFor(conversation));
      expect(turns.size).toBe(1);
    }
  });

  it('refuses bad tokens: garbage 401, wrong audience 401, another ServiceAccount 403', async () => {
    const stream = `${operator.listenUrl}/v1/table-stream`;
    const statusWith = async (token: string) => {
      const res = await fetch(stream, { headers: { authorization: `Bearer ${token}` } });
      await res.body?.cancel();
      return res.status;
    };
    expect((await fetch(stream)).status).toBe(401);
    expect(await statusWith('not-a-token')).toBe(401);
    const { readFile } = await import('node:fs/promises');
    const wrongAudience = (await readFile(await cluster.tokenFile(GATEWAY_SA, SYSTEM, 'kubernetes'), 'utf8')).trim();
    expect(await statusWith(wrongAudience)).toBe(401);
    const otherAccount = (await readFile(await cluster.tokenFile('some-other-app'), 'utf8')).trim();
    expect(await statusWith(otherAccount)).toBe(403);
  });

  it('reports a deleted credential Secret as ResolvedRefs=False and serves from the backends left', async () => {
    await cluster.apply(`
apiVersion: v1
kind: Secret
metadata: {name: upstream-cred, namespace: default}
stringData: {apiKey: not-a-real-provider-key-123456}
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: failover, namespace: default}
spec:
  model: gpt-failover
  backends:
  - name: primary
    provider: mock
    model: echo
    credentials: [{secretRef: {name: upstream-cred, key: apiKey}}]
    mock: {response: "from primary"}
  - name: fallback
    provider: mock
    model: echo
    priority: 1
    mock: {response: "from fallback"}
`);
    for (const gateway of gateways) {
      await waitFor('primary serving', async () => (await ask(gateway, apiKey, 'gpt-failover')).backend === 'primary', 10_000, 50);
    }
    await cluster.kubectl(['delete', 'secret', 'upstream-cred', '-n', 'default']);
    const failover = await waitFor('ResolvedRefs=False', async () => {
      const current = await cluster.getJson(['modelroute', 'failover', '-n', 'default']);
      return conditionOf(current, 'ResolvedRefs')?.status === 'False' ? current : undefined;
    });
    expect(conditionOf(failover, 'ResolvedRefs')).toMatchObject({ reason: 'SecretNotFound' });
    expect(conditionOf(failover, 'ResolvedRefs')?.message).toContain('Secret default/upstream-cred not found');
    expect(conditionOf(failover, 'Accepted')).toMatchObject({ status: 'True' });
    expect(conditionOf(failover, 'Accepted')?.message).toContain('1 dropped for missing credentials');
    for (const gateway of gateways) {
      await waitFor('fallback serving', async () => (await ask(gateway, apiKey, 'gpt-failover')).backend === 'fallback', 10_000, 50);
    }
    const events = JSON.stringify(await cluster.getJson(['events', '-n', 'default', '--field-selector', 'involvedObject.name=failover']));
    expect(events).toContain('SecretNotFound');
  });

  it('keeps the gateways serving while the operator restarts, then resumes streaming', async () => {
    await operator.process.stop();
    for (const gateway of gateways) {
      expect((await readyz(gateway.url)).status).toBe(200);
      expect((await ask(gateway, apiKey, 'gpt-test')).text).toBe('two');
    }
    operator = await startOperator(listenPort, 'operator-a2');
    // Both gateways come back and acknowledge; the new leader finds every status already right
    // and writes none (Programmed is written on first acknowledgement, not on every table).
    const metric = async (name: string) => {
      const text = await (await fetch(`${operator.healthUrl}/metrics`)).text();
      return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    await waitFor(
      'gateways back and acknowledged',
      async () =>
        (await metric('switchyard_operator_connected_gateways')) === 2 &&
        (await metric('switchyard_operator_acknowledged_table_version')) > 0,
      30_000,
    );
    await waitFor('leading', async () => (await metric('switchyard_operator_leader')) === 1, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await metric('switchyard_operator_reconciles_total')).toBeGreaterThan(0);
    expect(await metric('switchyard_operator_status_writes_total')).toBe(0);
    await cluster.apply(route('chat', 'gpt-test', 'three'));
    await Promise.all(
      gateways.map((gateway) =>
        waitFor('the post-restart answer', async () => (await ask(gateway, apiKey, 'gpt-test')).text === 'three', 30_000, 100),
      ),
    );
  });

  it('gives a restarted gateway the current table', async () => {
    const victim = gateways.pop() as GatewayProcess;
    await victim.process.kill();
    const revived = await startClusterGateway({ controlPlaneUrl: operator.listenUrl, tokenFile, name: 'gateway-2' });
    gateways.push(revived);
    await waitFor('revived gateway ready', async () => (await readyz(revived.url)).status === 200);
    expect((await ask(revived, apiKey, 'gpt-test')).text).toBe('three');
  });

  let second: OperatorProcess;
  const holder = async () =>
    ((await cluster.getJson<Record<string, any>>(['lease', 'switchyard-operator', '-n', SYSTEM])).spec.holderIdentity as
      | string
      | undefined) ?? '';
  const leaderGauge = async (op: OperatorProcess) => {
    const text = await (await fetch(`${op.healthUrl}/metrics`)).text();
    return Number(/^switchyard_operator_leader (\d+)/m.exec(text)?.[1] ?? NaN);
  };

  it('runs two replicas with exactly one leader; the follower serves tables too', async () => {
    const [secondPort] = (await findFreePorts(1)) as [number];
    second = await startOperator(secondPort, 'operator-b');
    extraProcesses.push(second.process);
    await waitFor('second replica ready', async () => (await readyz(second.healthUrl)).status === 200);
    expect(await holder()).toBe('operator-a2');
    expect([await leaderGauge(operator), await leaderGauge(second)]).toEqual([1, 0]);

    const follower = await startClusterGateway({ controlPlaneUrl: second.listenUrl, tokenFile, name: 'gateway-3' });
    gateways.push(follower);
    await waitFor('gateway on the follower ready', async () => (await readyz(follower.url)).status === 200);
    expect((await ask(follower, apiKey, 'gpt-test')).text).toBe('three');
  });

  it('counts the gateways of every replica before writing Programmed', async () => {
    // A client on the follower that receives tables but never acknowledges them.
    const { readFile } = await import('node:fs/promises');
    const token = (await readFile(tokenFile, 'utf8')).trim();
    const silent = new AbortController();
    const silentStream = await fetch(`${second.listenUrl}/v1/table-stream`, {
      headers: { authorization: `Bearer ${token}`, 'x-switchyard-gateway': 'silent' },
      signal: silent.signal,
    });
    expect(silentStream.status).toBe(200);
    const generationOf = async () =>
      (await cluster.getJson<Record<string, any>>(['modelroute', 'chat', '-n', 'default'])).metadata.generation as number;

    await cluster.apply(route('chat', 'gpt-test', 'four'));
    const generation = await generationOf();
    await Promise.all(
      gateways.map((gateway) => waitFor('answer four', async () => (await ask(gateway, apiKey, 'gpt-test')).text === 'four', 10_000, 50)),
    );
    // Every real gateway acknowledged; the silent one holds Programmed back.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const pending = conditionOf(await cluster.getJson(['modelroute', 'chat', '-n', 'default']), 'Programmed');
    expect(pending).toMatchObject({ status: 'Unknown', reason: 'Pending', observedGeneration: generation });

    silent.abort();
    await waitFor(
      'Programmed=True once the silent gateway left',
      async () => {
        const programmed = conditionOf(await cluster.getJson(['modelroute', 'chat', '-n', 'default']), 'Programmed');
        return programmed?.status === 'True' && programmed.observedGeneration === generation;
      },
      15_000,
    );
  });

  it('hands leadership over when the leader shuts down', async () => {
    // A clean shutdown releases the lease: the follower takes over well before it would expire.
    await operator.process.stop();
    const stoppedAt = Date.now();
    await waitFor('operator-b leads', async () => (await holder()) === 'operator-b', 10_000);
    console.log(`leadership handed over ${Date.now() - stoppedAt} ms after the leader stopped`);
    expect(await leaderGauge(second)).toBe(1);
    operator = second;
  });

  it('needed no permission beyond operator/rbac/', () => {
    const logs = allOperators.map((op) => op.process.logs()).join('');
    expect(logs).not.toMatch(/forbidden/i);
    expect(logs).toContain('became leader');
  });
});
