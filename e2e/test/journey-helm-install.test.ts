// The platform team's journey on a real API server + controller manager, with the kubelet
// played by e2e/src/kubelet: each Pod's container runs from the image `make image` builds, with
// podman and runc, in the Pod's own network namespace, with the chart's security context
// enforced. helm install, Pods Ready, kubectl apply the examples, read the generated key, call
// the gateway Service's endpoint with the OpenAI SDK, see a fallback, spend a Block budget
// through the operator leader until 429, upgrade with no failed request, uninstall. Times are
// reported.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import OpenAI from 'openai';
import { formatNanosAsUsd, parseMoneyNanos } from '@switchyard/compiler';
import { CHART_DIR, names, NAMESPACE, RELEASE, REPO_ROOT } from './helm-chart-support.js';
import { findFreePorts } from '../src/free-port.js';
import { HOST_ADDRESS } from '../src/kubelet/index.js';
import { startServerEverything } from './support/server-everything.js';
import { chartClusterSkipReason, startChartCluster, type ChartCluster } from './support/chart-cluster.js';
import { eventually, jsonItems, jsonPath } from './support/json-path.js';

const skipReason = await chartClusterSkipReason();
if (skipReason) console.warn(`SKIPPED journey (helm install to first request): ${skipReason}`);
const describeWhenPossible = skipReason === undefined ? describe : describe.skip;

/** A route whose only primary backend always fails (upstream 500), with a fallback tier. */
const FLAKY_ROUTE = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelRoute',
  metadata: { name: 'mock-flaky' },
  spec: {
    model: 'mock-flaky',
    backends: [
      { name: 'always-fails', provider: 'mock', model: 'mock-broken', mock: { failureRate: '1' } },
      { name: 'standby', provider: 'mock', model: 'mock-standby', priority: 1, mock: { response: 'answered by the standby tier' } },
    ],
    retry: { attempts: 2, backoff: { initial: '10ms', max: '50ms' }, on: ['ServerError'] },
  },
};

/** The mock provider is free: explicit prices make every answer cost (1 input + 100 output tokens) x $10 per million. */
const METERED_ROUTE = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelRoute',
  metadata: { name: 'mock-metered' },
  spec: {
    model: 'mock-metered',
    backends: [
      {
        name: 'metered',
        provider: 'mock',
        model: 'mock-metered',
        mock: { response: 'abcd'.repeat(100) },
        pricing: { inputPerMillion: '10', outputPerMillion: '10' },
      },
    ],
  },
};

/** About 20 metered answers; selects the demo key by its `team: demo` label (examples/cluster/demo-key.yaml). */
const TINY_LIMIT = '0.02';
const TINY_BUDGET = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'Budget',
  metadata: { name: 'demo-tiny' },
  spec: { selector: { matchLabels: { team: 'demo' } }, limit: TINY_LIMIT, period: 'Monthly', enforcement: 'Block' },
};

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWhenPossible('journey: helm install to first request, with the kubelet played by the harness', () => {
  const suiteStart = Date.now();
  const timings: Record<string, number> = {};
  let cluster: ChartCluster;
  let plane: ChartCluster['plane'];
  let kubelet: ChartCluster['kubelet'] | undefined;
  let podman: ChartCluster['podman'];
  let image: ChartCluster['image'];
  let installStart = 0;
  let apiKey = '';

  const kubectlOk = (args: string[], input?: string): Promise<string> => cluster.kubectlOk(args, input);
  const getJson = (args: string[]): Promise<unknown> => cluster.getJson(args);
  const readyEndpoints = (service: string): Promise<string[]> => cluster.readyEndpoints(service);
  const gatewayPort = (): Promise<number> => cluster.gatewayPort();
  const client = (address: string, port: number): OpenAI => cluster.client(address, port, apiKey);
  const diagnostics = (): string => cluster.diagnostics();
  const operatorLeader = () => cluster.operatorLeader();
  const readyOperatorPods = async (): Promise<number> => (await cluster.readyPods('operator')).length;

  /** The operator address the gateways' cluster DNS gives for the operator Service (their hosts file). */
  function operatorAddressSeenByGateway(gatewayAddress: string): string | undefined {
    const octet = gatewayAddress.split('.').at(-1);
    const hosts = readFileSync(`/etc/netns/sy-e2e-${octet}/hosts`, 'utf8');
    const line = hosts.split('\n').find((entry) => entry.split(/\s+/).includes(`${names.operator}.${NAMESPACE}.svc`));
    return line?.split(/\s+/)[0];
  }

  async function operatorPodAt(address: string): Promise<string> {
    const pods = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', 'app.kubernetes.io/component=operator']));
    const pod = pods.find(
      (candidate) =>
        jsonPath(candidate, 'status', 'podIP') === address && jsonPath(candidate, 'metadata', 'deletionTimestamp') === undefined,
    );
    if (pod === undefined) throw new Error(`no operator Pod has address ${address}`);
    return String(jsonPath(pod, 'metadata', 'name'));
  }

  beforeAll(async () => {
    cluster = await startChartCluster();
    ({ plane, kubelet, podman, image } = cluster);
    timings['control plane up, image ready'] = cluster.startedInMs;
    timings[image.builtNow ? 'image built' : 'image reused'] = image.elapsedMs;
    await kubectlOk(['create', 'namespace', NAMESPACE]);
  }, 900_000);

  afterAll(async () => {
    await cluster?.stop();
    timings['whole suite'] = Date.now() - suiteStart;
    console.log(`journey timings (ms): ${JSON.stringify(timings)}`);
  }, 120_000);

  it('helm install: operator and gateway Pods run from the image on their own test hosts and become Ready', async () => {
    installStart = Date.now();
    const output = await plane.helm(['install', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...cluster.imageValues()]);
    if (output.code !== 0) throw new Error(`helm install failed: ${output.stderr}`);
    timings['helm install command'] = Date.now() - installStart;
    try {
      await eventually('2 operator and 2 gateway Pods Ready', 120_000, async () => {
        const pods = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`]));
        const ready = pods.filter((pod) =>
          ((jsonPath(pod, 'status', 'conditions') ?? []) as unknown[]).some(
            (condition) => jsonPath(condition, 'type') === 'Ready' && jsonPath(condition, 'status') === 'True',
          ),
        );
        return ready.length === 4 ? ready : undefined;
      });
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${diagnostics()}`);
    }
    timings['helm install -> all Pods Ready'] = Date.now() - installStart;
    const pods = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`]));
    for (const pod of pods) {
      expect(jsonPath(pod, 'spec', 'nodeName')).toBe(kubelet!.nodeName);
      expect(String(jsonPath(pod, 'status', 'podIP'))).toMatch(/^10\.244\.0\.\d+$/);
      expect(jsonPath(pod, 'status', 'containerStatuses', 0, 'image')).toBe(image.reference);
    }
    // The chart's security context is enforced, not just rendered: every container's process runs
    // as 10001 with no capabilities, no privilege escalation and a read-only root filesystem.
    for (const name of await podman
      .ok(['ps', '--format', '{{.Names}}', '--filter', 'name=^sy-e2e-'])
      .then((out) => out.trim().split('\n'))) {
      const inspected = JSON.parse(
        await podman
          .ok(['inspect', '--format', '{{json .State.Pid}} {{json .HostConfig.ReadonlyRootfs}} {{json .ImageName}}', name])
          .then((out) => `[${out.trim().split(' ').join(',')}]`),
      ) as [number, boolean, string];
      const [pid, readOnly, imageName] = inspected;
      expect({ name, readOnly, imageName }).toEqual({ name, readOnly: true, imageName: image.reference });
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(/^Uid:\s+10001\s+10001\s+10001\s+10001$/m);
      expect(status).toMatch(/^Groups:.*\b10001\b/m);
      expect(status).toMatch(/^CapEff:\s+0+$/m);
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    }
    // Real EndpointSlices, written by kube-controller-manager from the Pods' addresses and readiness.
    await eventually('gateway Service endpoints', 30_000, async () =>
      (await readyEndpoints(names.gateway)).length === 2 ? true : undefined,
    );
    await eventually('operator Service endpoints', 30_000, async () =>
      (await readyEndpoints(names.operator)).length === 2 ? true : undefined,
    );
  }, 180_000);

  it('kubectl apply the examples; the operator generates the key Secret; the OpenAI SDK gets an answer through the Service endpoints', async () => {
    for (const file of ['mock-gpt.yaml', 'demo-key.yaml']) {
      await kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], readFileSync(join(REPO_ROOT, 'examples', 'cluster', file), 'utf8'));
    }
    await kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], JSON.stringify(FLAKY_ROUTE));
    const encoded = await eventually('the generated key Secret demo-key', 60_000, async () => {
      const result = await plane.kubectl(['get', 'secret', 'demo-key', '-n', NAMESPACE, '-o', 'jsonpath={.data.key}']);
      return result.code === 0 && result.stdout !== '' ? result.stdout : undefined;
    });
    apiKey = Buffer.from(encoded, 'base64').toString('utf8');
    expect(apiKey).toMatch(/^sk-sy-[A-Za-z0-9]{40}$/);

    const port = await gatewayPort();
    const addresses = await readyEndpoints(names.gateway);
    // Every gateway replica answers once the operator's table reached it.
    for (const address of addresses) {
      const completion = await eventually(`an answer from the gateway at ${address}`, 60_000, async () => {
        try {
          return await client(address, port).chat.completions.create({
            model: 'mock-gpt',
            messages: [{ role: 'user', content: 'hello from the journey' }],
          });
        } catch {
          return undefined;
        }
      });
      timings[`helm install -> first successful request (${address})`] ??= Date.now() - installStart;
      expect(completion.choices[0]?.message.content).toBeTruthy();
      expect(completion.model).toContain('mock');
    }
    timings['helm install -> first successful request'] = Math.min(
      ...Object.entries(timings)
        .filter(([key]) => key.startsWith('helm install -> first successful request ('))
        .map(([, value]) => value),
    );
  }, 180_000);

  it('a failing primary backend falls back to the next tier', async () => {
    const port = await gatewayPort();
    const [address] = await readyEndpoints(names.gateway);
    const { data, response } = await eventually('mock-flaky in the table', 30_000, async () => {
      try {
        return await client(address!, port)
          .chat.completions.create({ model: 'mock-flaky', messages: [{ role: 'user', content: 'who answers?' }] })
          .withResponse();
      } catch {
        return undefined;
      }
    });
    expect(data.choices[0]?.message.content).toBe('answered by the standby tier');
    expect(response.headers.get('x-switchyard-backend')).toContain('standby');
  }, 60_000);

  it('a Block budget: kubectl get budget shows the summed cost headers, then both gateways refuse with 429 budget_exceeded', async () => {
    const port = await gatewayPort();
    const gateways = await readyEndpoints(names.gateway);
    expect(gateways).toHaveLength(2);
    // Only the leader aggregates spend; a follower answers the usage POST with 503. A real
    // ClusterIP spreads connections over both replicas, but the stand-in's DNS gives one address
    // per Service name, so gateways sent to the follower would never be counted. Then the
    // follower Pod is deleted: the name moves to the leader and the replacement is added after it.
    const start = Date.now();
    const leader = await eventually('an operator leader', 30_000, operatorLeader);
    const seen = gateways.map(operatorAddressSeenByGateway);
    if (seen.some((address) => address !== leader.address)) {
      const follower = await operatorPodAt(seen.find((address) => address !== leader.address)!);
      console.log(
        `journey budget: the operator Service name pointed the gateways at follower ${follower}, not leader ${leader.pod}; deleting ${follower}`,
      );
      await kubectlOk(['delete', 'pod', follower, '-n', NAMESPACE, '--wait=false']);
      await eventually('the operator Service name at the leader, with 2 operators Ready', 120_000, async () => {
        const current = await operatorLeader();
        return current?.pod === leader.pod &&
          (await readyOperatorPods()) === 2 &&
          gateways.every((gateway) => operatorAddressSeenByGateway(gateway) === current.address)
          ? true
          : undefined;
      });
    } else {
      console.log(`journey budget: the operator Service name already pointed the gateways at leader ${leader.pod}`);
    }
    timings['budget: operator Service at the leader'] = Date.now() - start;

    const spentOf = async (): Promise<bigint | undefined> => {
      const spent = jsonPath(await getJson(['get', 'budget', 'demo-tiny', '-n', NAMESPACE]), 'status', 'spent');
      return typeof spent === 'string' ? parseMoneyNanos(spent) : undefined;
    };
    // The Budget first (its status is written by the leader), then the route: a table that
    // routes mock-metered already holds demo-tiny, so every charged answer counts against it.
    await kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], JSON.stringify(TINY_BUDGET));
    await eventually('demo-tiny spent 0, written by the leader', 30_000, async () => ((await spentOf()) === 0n ? true : undefined));
    await kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], JSON.stringify(METERED_ROUTE));

    const limit = parseMoneyNanos(TINY_LIMIT);
    let charged = 0n;
    let largestCost = 0n;
    const ownSpend = new Map<string, bigint>(gateways.map((gateway) => [gateway, 0n]));
    /** One metered request; an answer adds its x-switchyard-cost-usd, a refusal is returned. */
    const ask = async (gateway: string): Promise<InstanceType<typeof OpenAI.APIError> | undefined> => {
      try {
        const { response } = await client(gateway, port)
          .chat.completions.create({ model: 'mock-metered', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 })
          .withResponse();
        const header = response.headers.get('x-switchyard-cost-usd');
        if (header === null) throw new Error(`no x-switchyard-cost-usd from ${gateway}`);
        const cost = parseMoneyNanos(header);
        expect(cost).toBeGreaterThan(0n);
        charged += cost;
        largestCost = cost > largestCost ? cost : largestCost;
        ownSpend.set(gateway, ownSpend.get(gateway)! + cost);
        return undefined;
      } catch (error) {
        if (error instanceof OpenAI.APIError) return error;
        throw error;
      }
    };
    for (const gateway of gateways) {
      await eventually(`mock-metered in the table of ${gateway}`, 30_000, async () =>
        (await ask(gateway)) === undefined ? true : undefined,
      );
    }
    for (const gateway of gateways) expect(await ask(gateway)).toBeUndefined();

    const budgetRow = async (): Promise<string[]> => {
      const table = await kubectlOk(['get', 'budget', 'demo-tiny', '-n', NAMESPACE]);
      const [header, row] = table.trim().split('\n');
      expect(header).toMatch(/^NAME\s+SPENT\s+LIMIT\s+PERIOD\s+EXCEEDED\s+AGE$/);
      return (row ?? '').split(/\s+/);
    };
    const spentShown = Date.now();
    const row = await eventually(`kubectl get budget showing SPENT ${formatNanosAsUsd(charged)}`, 30_000, async () => {
      const columns = await budgetRow();
      return columns[1] === formatNanosAsUsd(charged) ? columns : undefined;
    });
    timings['budget: requests -> spent in kubectl get budget'] = Date.now() - spentShown;
    expect(row.slice(0, 5)).toEqual(['demo-tiny', formatNanosAsUsd(charged), TINY_LIMIT, 'Monthly', 'False']);

    // Alternate gateways until one refuses: each has answered about half of the spend, so a
    // refusal before its own answers near the limit means it learned the other's spend from the
    // operator's snapshots.
    const refusedAt = new Map<string, { own: bigint; total: bigint }>();
    const exhaustStart = Date.now();
    const assertBudgetRefusal = (refusal: InstanceType<typeof OpenAI.APIError>) => {
      expect(refusal.status).toBe(429);
      expect(refusal.code).toBe('budget_exceeded');
      expect(refusal.headers?.get('x-should-retry')).toBe('false');
    };
    for (let i = 0; refusedAt.size === 0; i++) {
      if (Date.now() - exhaustStart > 60_000)
        throw new Error(`no refusal within 60 s; ${formatNanosAsUsd(charged)} charged\n${diagnostics()}`);
      const gateway = gateways[i % 2]!;
      const refusal = await ask(gateway);
      if (refusal !== undefined) {
        assertBudgetRefusal(refusal);
        refusedAt.set(gateway, { own: ownSpend.get(gateway)!, total: charged });
      }
      await delay(500);
    }
    for (const gateway of gateways) {
      if (refusedAt.has(gateway)) continue;
      const refusal = await eventually(`a 429 from ${gateway} too`, 20_000, async () => {
        const outcome = await ask(gateway);
        if (outcome === undefined) await delay(500);
        return outcome;
      });
      assertBudgetRefusal(refusal);
      refusedAt.set(gateway, { own: ownSpend.get(gateway)!, total: charged });
    }
    timings['budget: first request past the limit -> both gateways refuse'] = Date.now() - exhaustStart;
    console.log(
      `journey budget: limit ${TINY_LIMIT}, charged ${formatNanosAsUsd(charged)}; refusals: ${[...refusedAt].map(([gateway, at]) => `${gateway} (own ${formatNanosAsUsd(at.own)}, all ${formatNanosAsUsd(at.total)})`).join(', ')}`,
    );
    for (const at of refusedAt.values()) {
      // Admission refuses when spend + the request's estimate passes the limit: not before
      // the answers came near the limit, and not on a gateway's own answers alone.
      expect(at.total + 2n * largestCost).toBeGreaterThan(limit);
      expect(at.own + 2n * largestCost).toBeLessThanOrEqual(limit);
    }
    // Exceeded is True once spend reaches the limit. Admission reserves each request's estimate
    // (above its real cost), so the gateways refuse before the limit when each knows the other's
    // spend in time, and pass it by less than one answer when a snapshot is still on its way:
    // either way the column must say which happened.
    const exceeded = charged >= limit ? 'True' : 'False';
    const final = await eventually(
      `kubectl get budget showing SPENT ${formatNanosAsUsd(charged)}, Exceeded ${exceeded}`,
      30_000,
      async () => {
        const columns = await budgetRow();
        return columns[1] === formatNanosAsUsd(charged) && columns[4] === exceeded ? columns : undefined;
      },
    );
    expect(parseMoneyNanos(final[1]!)).toBeGreaterThanOrEqual(limit - largestCost);

    // Lift the budget (and drop the route) so the demo key's traffic in the next steps is admitted.
    await kubectlOk(['delete', 'budget', 'demo-tiny', '-n', NAMESPACE]);
    await kubectlOk(['delete', 'modelroute', 'mock-metered', '-n', NAMESPACE]);
    for (const gateway of gateways) {
      await eventually(`${gateway} admits the demo key again`, 30_000, async () => {
        try {
          await client(gateway, port).chat.completions.create({
            model: 'mock-gpt',
            messages: [{ role: 'user', content: 'after the budget' }],
          });
          return true;
        } catch {
          return undefined;
        }
      });
    }
  }, 300_000);

  it('an MCPServer applied with kubectl becomes Ready with its tools; an MCP session begun on one gateway continues on the other', async () => {
    const [everythingPort] = await findFreePorts(1);
    const everything = await startServerEverything(everythingPort!);
    try {
      const agentKey = `sk-sy-mcpagent${'0'.repeat(32)}`;
      for (const object of [
        {
          apiVersion: 'switchyard.dev/v1alpha1',
          kind: 'MCPServer',
          metadata: { name: 'everything' },
          spec: { url: `http://${HOST_ADDRESS}:${everythingPort}/mcp` },
        },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mcp-agent-key' }, stringData: { key: agentKey } },
        {
          apiVersion: 'switchyard.dev/v1alpha1',
          kind: 'VirtualKey',
          metadata: { name: 'mcp-agent' },
          spec: { secretName: 'mcp-agent-key', mcp: { allowedTools: ['everything__echo', 'everything__get-sum'] } },
        },
      ])
        await kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], JSON.stringify(object));
      // The operator leader asks the server for its tools and writes them to status.
      const status = await eventually('MCPServer everything Ready with its tools', 60_000, async () => {
        const server = await getJson(['get', 'mcpserver', 'everything', '-n', NAMESPACE]);
        const ready = ((jsonPath(server, 'status', 'conditions') ?? []) as unknown[]).some(
          (condition) => jsonPath(condition, 'type') === 'Ready' && jsonPath(condition, 'status') === 'True',
        );
        return ready ? server : undefined;
      });
      expect(Number(jsonPath(status, 'status', 'toolCount'))).toBeGreaterThan(5);
      expect(jsonPath(status, 'status', 'tools')).toEqual(expect.arrayContaining(['everything__echo', 'everything__get-sum']));

      // A ClusterIP would spread one client's requests over the replicas: initialize on one,
      // everything after on the other, with no sticky routing. The chart's shared session key is
      // what makes the second replica accept the first one's session.
      const port = await gatewayPort();
      const [first, second] = await readyEndpoints(names.gateway);
      expect(second).toBeDefined();
      const connect = async (): Promise<Client> => {
        let sent = 0;
        const client = new Client({ name: 'journey', version: '1.0.0' });
        await client.connect(
          new StreamableHTTPClientTransport(new URL(`http://${first}:${port}/mcp`), {
            requestInit: { headers: { authorization: `Bearer ${agentKey}` } },
            fetch: (url, init) => {
              sent += 1;
              return fetch(sent === 1 ? url : String(url).replace(`//${first}:`, `//${second}:`), init);
            },
          }),
        );
        return client;
      };
      const client = await eventually("the key and the server in both gateways' tables", 60_000, async () => {
        const candidate = await connect().catch(() => undefined);
        const tools = await candidate?.listTools().catch(() => undefined);
        if (tools?.tools.some((tool) => tool.name === 'everything__echo')) return candidate;
        await candidate?.close();
        return undefined;
      });
      try {
        expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['everything__echo', 'everything__get-sum']);
        const echoed = await client.callTool({ name: 'everything__echo', arguments: { message: 'across replicas' } });
        expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: across replicas' }]);
        // Narrowing the key's tools reaches the gateways with the next table: get-sum disappears
        // from the list and is refused, on the same session.
        const narrowedAt = Date.now();
        await kubectlOk([
          'patch',
          'virtualkey',
          'mcp-agent',
          '-n',
          NAMESPACE,
          '--type=merge',
          '-p',
          '{"spec":{"mcp":{"allowedTools":["everything__echo"]}}}',
        ]);
        await eventually('get-sum gone from the key', 60_000, async () => {
          const tools = (await client.listTools()).tools.map((tool) => tool.name);
          return tools.length === 1 && tools[0] === 'everything__echo' ? true : undefined;
        });
        timings['mcp: allowedTools change -> the session sees it'] = Date.now() - narrowedAt;
        await expect(client.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 2 } })).rejects.toThrow(/unknown tool/);
      } finally {
        await client.close();
      }
    } finally {
      everything.kill('SIGTERM');
    }
  }, 180_000);

  it('helm upgrade with a changed value rolls the gateway Pods with no failed request', async () => {
    const port = await gatewayPort();
    const podsBefore = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', 'app.kubernetes.io/component=gateway'])).map((pod) =>
      String(jsonPath(pod, 'metadata', 'name')),
    );
    // Requests go round-robin to the Service's ready endpoints; a terminating gateway leaves them
    // during its preStop sleep.
    const endpoints = await cluster.watchReadyEndpoints(names.gateway);
    let running = true;
    const failures: string[] = [];
    let succeeded = 0;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const ready = endpoints.current();
        const address = ready[i % ready.length]!;
        try {
          const completion = await client(address, port).chat.completions.create({
            model: 'mock-gpt',
            messages: [{ role: 'user', content: `request ${i}` }],
          });
          if (!completion.choices[0]?.message.content) failures.push(`${address}: empty answer`);
          else succeeded++;
        } catch (error) {
          failures.push(`${address}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    const upgradeStart = Date.now();
    try {
      const upgrade = await plane.helm([
        'upgrade',
        RELEASE,
        CHART_DIR,
        '--namespace',
        NAMESPACE,
        '--reuse-values',
        ...cluster.imageValues(),
        '--set',
        'gateway.maxBodyBytes=1048576',
      ]);
      if (upgrade.code !== 0) throw new Error(`helm upgrade failed: ${upgrade.stderr}`);
      const rollout = await plane.kubectl(['rollout', 'status', `deployment/${names.gateway}`, '-n', NAMESPACE, '--timeout=240s']);
      if (rollout.code !== 0) throw new Error(`rollout did not finish: ${rollout.stderr}\n${diagnostics()}`);
      // Old Pods gone for good (the stand-in deletes them after their processes exited).
      await eventually('old gateway Pods deleted', 120_000, async () => {
        const names_ = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', 'app.kubernetes.io/component=gateway'])).map((pod) =>
          String(jsonPath(pod, 'metadata', 'name')),
        );
        return names_.some((name) => podsBefore.includes(name)) ? undefined : names_;
      });
    } finally {
      running = false;
      await Promise.all([load, endpoints.stop()]);
    }
    timings['helm upgrade -> rolled'] = Date.now() - upgradeStart;
    console.log(`journey upgrade: ${succeeded} requests succeeded, ${failures.length} failed during the roll`);
    expect(failures).toEqual([]);
    expect(succeeded).toBeGreaterThan(10);
    const deployment = await getJson(['get', 'deployment', names.gateway, '-n', NAMESPACE]);
    const args = (jsonPath(deployment, 'spec', 'template', 'spec', 'containers', 0, 'args') ?? []) as string[];
    expect(args).toContain('--max-body-bytes=1048576');
    // The new Pods run the new flag: a body over 1 MiB is refused by the gateway itself.
    const [address] = await readyEndpoints(names.gateway);
    const tooBig = await fetch(`http://${address}:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] }),
    });
    expect(tooBig.status).toBe(413);
  }, 300_000);

  it('helm uninstall removes the release and its Pods (their containers and test hosts too) and keeps the CRDs and resources', async () => {
    const uninstall = await plane.helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait', '--timeout', '3m']);
    if (uninstall.code !== 0) throw new Error(`helm uninstall failed: ${uninstall.stderr}`);
    const selector = `app.kubernetes.io/instance=${RELEASE}`;
    expect(
      (
        await kubectlOk([
          'get',
          'deployments,services,secrets,serviceaccounts,roles,rolebindings',
          '-n',
          NAMESPACE,
          '-l',
          selector,
          '-o',
          'name',
        ])
      ).trim(),
    ).toBe('');
    await eventually('Pods gone and their containers removed', 150_000, async () => {
      const left = (await kubectlOk(['get', 'replicasets,pods', '-n', NAMESPACE, '-l', selector, '-o', 'name'])).trim();
      const containersLeft = (await podman.ok(['ps', '--all', '--format', '{{.Names}}', '--filter', 'name=^sy-e2e-'])).trim();
      return left === '' && kubelet!.pods().length === 0 && containersLeft === '' ? true : undefined;
    });
    for (const crd of ['budgets.switchyard.dev', 'modelroutes.switchyard.dev', 'virtualkeys.switchyard.dev'])
      await kubectlOk(['get', 'crd', crd]);
    const routes = jsonItems(await getJson(['get', 'modelroutes', '-n', NAMESPACE])).map((item) => jsonPath(item, 'metadata', 'name'));
    expect(routes.sort()).toEqual(['mock-flaky', 'mock-gpt']);
  }, 200_000);
});
