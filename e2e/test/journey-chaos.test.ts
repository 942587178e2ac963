// Chaos on the chart's cluster (the image run by the kubelet stand-in, a real control plane, a
// real Redis): under steady load, Redis is killed and restarted, the API server is killed and
// restarted, the operator leader is SIGKILLed during a change, and a gateway is SIGKILLed with
// streams in flight. Every answer's cost is summed; at the end the Budget's spent must equal it:
// no spend lost, none charged twice. Requests that could be served must not fail, except those
// sent to the killed gateway before the cluster stopped routing to it (a window stated below).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { formatNanosAsUsd, parseMoneyNanos } from '@switchyard/compiler';
import { findFreePorts } from '../src/free-port.js';
import { HOST_ADDRESS } from '../src/kubelet/index.js';
import { CHART_DIR, names, NAMESPACE, RELEASE } from './helm-chart-support.js';
import { chartClusterSkipReason, startChartCluster, waitForChartPods, type ChartCluster } from './support/chart-cluster.js';
import { eventually, jsonPath } from './support/json-path.js';

const skipReason = await chartClusterSkipReason();
if (skipReason) console.warn(`SKIPPED chaos journey: ${skipReason}`);
const describeWhenPossible = skipReason === undefined ? describe : describe.skip;

/** How long after a gateway is SIGKILLed requests sent to it may still fail: the stand-in notices the exit within 0.5 s, the EndpointSlice follows. */
const KILLED_GATEWAY_WINDOW_MS = 10_000;
/** How long a change may take to reach both gateways when the operator leader was just killed (lease 15 s, then a full resync). */
const CHANGE_AFTER_LEADER_KILL_WINDOW_MS = 60_000;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const route = (name: string, mock: Record<string, unknown>) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelRoute',
  metadata: { name },
  spec: {
    model: name,
    backends: [{ name: 'metered', provider: 'mock', model: name, mock, pricing: { inputPerMillion: '10', outputPerMillion: '10' } }],
  },
});
const KEY_SECRET = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'chaos-key' },
  stringData: { key: `sk-sy-chaos${'0'.repeat(35)}` },
};
const KEY = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'VirtualKey',
  metadata: { name: 'chaos', labels: { team: 'chaos' } },
  spec: { secretName: 'chaos-key', allowedModels: ['chaos-*'] },
};
const BUDGET = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'Budget',
  metadata: { name: 'chaos' },
  spec: { selector: { matchLabels: { team: 'chaos' } }, limit: '1000', period: 'Monthly', enforcement: 'Block' },
};

/** redis-server on the bridge address, killable and restartable on the same port. */
async function startBridgeRedis(port: number): Promise<{ kill(): Promise<void>; start(): Promise<void>; url: string }> {
  let child: ChildProcess | undefined;
  const start = async () => {
    const launched = spawn(
      'redis-server',
      ['--port', String(port), '--bind', HOST_ADDRESS, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = launched;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      launched.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      launched.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${String(code)}:\n${output}`));
      });
    });
  };
  await start();
  return {
    url: `redis://${HOST_ADDRESS}:${port}/0`,
    start,
    async kill() {
      const running = child;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGKILL');
      await exited;
    },
  };
}

interface Outcome {
  at: number;
  address: string;
  ok: boolean;
  error?: string;
}

describeWhenPossible('chaos: Redis, the API server, the operator leader and a gateway killed under load', () => {
  let cluster: ChartCluster;
  let redis: Awaited<ReturnType<typeof startBridgeRedis>>;
  let port = 0;
  const apiKey = KEY_SECRET.stringData.key;
  let chargedNanos = 0n;
  let answers = 0;
  const report: Record<string, unknown> = {};

  /** Steady load on chaos-steady, round-robin over the ready gateway endpoints (re-read every 250 ms, as kube-proxy would). */
  function startLoad(model = 'chaos-steady'): { stop(): Promise<Outcome[]> } {
    let running = true;
    const outcomes: Outcome[] = [];
    const watching = cluster.watchReadyEndpoints(names.gateway);
    const worker = (async () => {
      const endpoints = await watching;
      for (let i = 0; running; i++) {
        const ready = endpoints.current();
        if (ready.length === 0) {
          await delay(100);
          continue;
        }
        const address = ready[i % ready.length]!;
        const at = Date.now();
        const error = await charged(address, model, `request ${i}`);
        outcomes.push(error === undefined ? { at, address, ok: true } : { at, address, ok: false, error });
        await delay(50);
      }
    })();
    return {
      async stop() {
        running = false;
        await worker;
        await (await watching).stop();
        return outcomes;
      },
    };
  }

  const failuresOf = (outcomes: Outcome[]) => outcomes.filter((outcome) => !outcome.ok);

  /** One request whose answer's cost is counted; undefined when answered, else why it failed. */
  async function charged(address: string, model: string, content: string): Promise<string | undefined> {
    try {
      const { response } = await cluster
        .client(address, port, apiKey)
        .chat.completions.create({ model, messages: [{ role: 'user', content }], max_tokens: 20 })
        .withResponse();
      chargedNanos += parseMoneyNanos(response.headers.get('x-switchyard-cost-usd') ?? '0');
      answers++;
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** One charged request outside the load, for `eventually`: true once answered. */
  const askOnce = async (address: string, model: string): Promise<true | undefined> =>
    (await charged(address, model, 'are you there?')) === undefined ? true : undefined;

  beforeAll(async () => {
    cluster = await startChartCluster();
    const [redisPort] = await findFreePorts(1);
    redis = await startBridgeRedis(redisPort!);
    await cluster.kubectlOk(['create', 'namespace', NAMESPACE]);
    const installed = await cluster.plane.helm([
      'install',
      RELEASE,
      CHART_DIR,
      '--namespace',
      NAMESPACE,
      ...cluster.imageValues(),
      '--set',
      `redis.url=${redis.url}`,
    ]);
    if (installed.code !== 0) throw new Error(`helm install failed: ${installed.stderr}`);
    await waitForChartPods(cluster, 180_000);
    for (const object of [KEY_SECRET, KEY, BUDGET, route('chaos-steady', { response: 'steady' })])
      await cluster.kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], JSON.stringify(object));
    port = await cluster.gatewayPort();
    for (const address of await cluster.readyEndpoints(names.gateway)) {
      await eventually(`chaos-steady served by ${address}`, 60_000, () => askOnce(address, 'chaos-steady'));
    }
  }, 900_000);

  afterAll(async () => {
    console.log(`chaos report: ${JSON.stringify(report)}`);
    await redis?.kill();
    await cluster?.stop();
  }, 180_000);

  it('Redis SIGKILLed for 5 s and restarted under load: no request fails (--redis-failure-mode open)', async () => {
    const load = startLoad();
    await delay(2_000);
    await redis.kill();
    await delay(5_000);
    await redis.start();
    await delay(3_000);
    const outcomes = await load.stop();
    report['redis: answers'] = outcomes.length;
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(20);
  }, 120_000);

  it('the API server SIGKILLed for 5 s and restarted under load: no request fails, and a change made afterwards reaches both gateways', async () => {
    const load = startLoad();
    await delay(2_000);
    const { unavailableMs } = await cluster.plane.restartApiServer(5_000);
    report['apiserver: unavailable ms'] = unavailableMs;
    await delay(2_000);
    const outcomes = await load.stop();
    expect(failuresOf(outcomes)).toEqual([]);
    const changedAt = Date.now();
    await cluster.kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], JSON.stringify(route('chaos-after-apiserver', { response: 'after' })));
    for (const address of await cluster.readyEndpoints(names.gateway)) {
      await eventually(`chaos-after-apiserver served by ${address}`, 60_000, () => askOnce(address, 'chaos-after-apiserver'));
    }
    report['apiserver: change after restart -> both gateways ms'] = Date.now() - changedAt;
  }, 240_000);

  it('the operator leader SIGKILLed during a change: the change reaches both gateways within the window, no request fails', async () => {
    const leader = await eventually('an operator leader', 30_000, () => cluster.operatorLeader());
    const load = startLoad();
    await delay(1_000);
    const killedAt = Date.now();
    await cluster.podman.ok(['kill', '--signal', 'KILL', cluster.containerOf(leader.pod)]);
    await cluster.kubectlOk(
      ['apply', '-n', NAMESPACE, '-f', '-'],
      JSON.stringify(route('chaos-after-leader', { response: 'after the leader' })),
    );
    const gateways = await cluster.readyEndpoints(names.gateway);
    for (const address of gateways) {
      await eventually(`chaos-after-leader served by ${address}`, CHANGE_AFTER_LEADER_KILL_WINDOW_MS, () =>
        askOnce(address, 'chaos-after-leader'),
      );
    }
    report['leader kill: change -> both gateways ms'] = Date.now() - killedAt;
    await eventually('the killed operator container restarted and Ready again', 120_000, async () =>
      (await cluster.readyPods('operator')).length === 2 ? true : undefined,
    );
    const outcomes = await load.stop();
    expect(failuresOf(outcomes)).toEqual([]);
  }, 240_000);

  it('a gateway SIGKILLed with streams in flight: only requests to it fail, within the window; it restarts and serves again', async () => {
    await cluster.kubectlOk(
      ['apply', '-n', NAMESPACE, '-f', '-'],
      JSON.stringify(route('chaos-slow', { latency: '4s', response: 'slow' })),
    );
    const [victim, survivor] = await cluster.readyPods('gateway');
    if (victim === undefined || survivor === undefined) throw new Error('two ready gateways expected');
    await eventually('chaos-slow in the victim table', 30_000, async () => {
      try {
        const models = await cluster.client(victim.address, port, apiKey).models.list();
        return models.data.some((model) => model.id === 'chaos-slow') ? true : undefined;
      } catch {
        return undefined;
      }
    });
    const load = startLoad();
    // Streams in flight on the victim: each waits 4 s for its first byte.
    const streams = Array.from({ length: 5 }, async () => {
      const stream = await cluster.client(victim.address, port, apiKey).chat.completions.create({
        model: 'chaos-slow',
        messages: [{ role: 'user', content: 'stream' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    });
    await delay(1_500);
    const killedAt = Date.now();
    await cluster.podman.ok(['kill', '--signal', 'KILL', cluster.containerOf(victim.name)]);
    const streamOutcomes = await Promise.allSettled(streams);
    // A SIGKILLed process cannot finish what it was sending: every stream in flight fails, visibly.
    expect(streamOutcomes.map((outcome) => outcome.status)).toEqual(Array(5).fill('rejected'));
    await eventually('the victim restarted (restartCount 1) and Ready again', 120_000, async () => {
      const pod = await cluster.getJson(['get', 'pod', victim.name, '-n', NAMESPACE]);
      const restarted = Number(jsonPath(pod, 'status', 'containerStatuses', 0, 'restartCount') ?? 0) >= 1;
      return restarted && (await cluster.readyPods('gateway')).some((ready) => ready.name === victim.name) ? true : undefined;
    });
    report['gateway kill: kill -> Ready again ms'] = Date.now() - killedAt;
    await delay(2_000);
    const outcomes = await load.stop();
    const failures = failuresOf(outcomes);
    report['gateway kill: failed requests'] = failures.length;
    report['gateway kill: refusal window ms'] = failures.length === 0 ? 0 : Math.max(...failures.map((failure) => failure.at)) - killedAt;
    for (const failure of failures) {
      expect(failure.address).toBe(victim.address);
      expect(failure.at - killedAt).toBeLessThan(KILLED_GATEWAY_WINDOW_MS);
    }
    // The survivor answered throughout.
    expect(outcomes.filter((outcome) => outcome.address === survivor.address && !outcome.ok)).toEqual([]);
    const pod = await cluster.getJson(['get', 'pod', victim.name, '-n', NAMESPACE]);
    expect(jsonPath(pod, 'status', 'containerStatuses', 0, 'lastState', 'terminated', 'exitCode')).toBe(137);
  }, 300_000);

  it('no spend lost and none charged twice: the Budget spent equals the sum of every answer cost', async () => {
    const spent = async (): Promise<bigint | undefined> => {
      const value = jsonPath(await cluster.getJson(['get', 'budget', 'chaos', '-n', NAMESPACE]), 'status', 'spent');
      return typeof value === 'string' ? parseMoneyNanos(value) : undefined;
    };
    // Every answer of the suite was counted (load and single requests alike); the streams killed
    // in flight never answered and were never charged.
    let last: bigint | undefined;
    const total = await eventually(`the Budget settles at ${formatNanosAsUsd(chargedNanos)}`, 90_000, async () => {
      const now = await spent();
      const settled = now !== undefined && (now === chargedNanos || now === last);
      last = now;
      if (!settled) await delay(2_000);
      return settled ? now : undefined;
    });
    report['spend: answers'] = answers;
    report['spend: charged by the answers'] = formatNanosAsUsd(chargedNanos);
    report['spend: budget spent'] = formatNanosAsUsd(total);
    expect(formatNanosAsUsd(total)).toBe(formatNanosAsUsd(chargedNanos));
  }, 180_000);
});
