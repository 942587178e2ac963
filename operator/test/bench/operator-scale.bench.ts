// Operator benchmark against a real API server (not part of the test suite):
//   node operator/dist/test/bench/operator-scale.bench.js [--keys 10000] [--routes 1000] [--changes 40]
// 1. small cluster: time from a ModelRoute change (API write) to both gateways serving it;
// 2. bulk: creates the routes and keys (with their Secrets), starts the operator, and reports
//    first-compile time, table size, status write-out, operator memory; then the same change
//    latency at that size.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeClient } from '../../src/kube/kube-client.js';
import { findFreePorts } from '../support/free-ports.js';
import {
  readyz,
  startClusterGateway,
  startOperatorProcess,
  startTestCluster,
  type GatewayProcess,
  type OperatorProcess,
  type TestCluster,
} from '../support/cluster.js';
import { waitFor } from '../support/wait-for.js';

const { values } = parseArgs({
  options: { keys: { type: 'string' }, routes: { type: 'string' }, changes: { type: 'string' }, namespaces: { type: 'string' } },
});
const KEYS = Number(values.keys ?? 10_000);
const ROUTES = Number(values.routes ?? 1_000);
const CHANGES = Number(values.changes ?? 40);
const NAMESPACES = Number(values.namespaces ?? 10);
const GATEWAY_SA = 'bench-gateway';

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const route = (namespace: string, name: string, answer: string) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelRoute',
  metadata: { name, namespace },
  spec: {
    model: name,
    backends: [
      {
        name: 'mock',
        provider: 'mock',
        model: 'echo',
        mock: { response: answer },
        pricing: { inputPerMillion: '1', outputPerMillion: '2' },
      },
    ],
  },
});

async function ask(gateway: GatewayProcess, key: string, model: string): Promise<string> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await res.json()) as { choices?: Array<{ message?: { content?: string } }> };
  return body.choices?.[0]?.message?.content ?? `status ${res.status}`;
}

async function changeLatencies(
  client: KubeClient,
  gateways: GatewayProcess[],
  key: string,
  namespace: string,
  name: string,
  changes: number,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < changes; i++) {
    const answer = `answer-${Date.now()}-${i}`;
    const started = performance.now();
    await client.patch(`/apis/switchyard.dev/v1alpha1/namespaces/${namespace}/modelroutes/${name}`, {
      spec: {
        backends: [
          {
            name: 'mock',
            provider: 'mock',
            model: 'echo',
            mock: { response: answer },
            pricing: { inputPerMillion: '1', outputPerMillion: '2' },
          },
        ],
      },
    });
    await Promise.all(gateways.map((gateway) => waitFor('the change', async () => (await ask(gateway, key, name)) === answer, 30_000, 5)));
    latencies.push(Math.round(performance.now() - started));
  }
  return latencies.sort((a, b) => a - b);
}

function summary(latencies: number[]) {
  return {
    n: latencies.length,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1),
  };
}

async function main(): Promise<void> {
  const cluster: TestCluster = await startTestCluster();
  const processes: Array<{ stop(): Promise<void> }> = [];
  try {
    const client = KubeClient.fromKubeconfig(cluster.kubeconfigPath);
    const tokenFile = await cluster.tokenFile(GATEWAY_SA);
    const [listenPort] = (await findFreePorts(1)) as [number];
    const key = `sk-sy-${'b'.repeat(40)}`;
    const secret = (namespace: string, name: string, value: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      stringData: { key: value },
    });
    const vk = (namespace: string, name: string) => ({
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'VirtualKey',
      metadata: { name, namespace, labels: { team: `t${name.length % 7}` } },
      spec: { secretName: `${name}-key` },
    });

    // 1. Small: one route, one key.
    await client.create('/api/v1/namespaces/default/secrets', secret('default', 'bench-key', key));
    await client.create('/apis/switchyard.dev/v1alpha1/namespaces/default/virtualkeys', {
      ...vk('default', 'bench'),
      spec: { secretName: 'bench-key' },
    });
    await client.create('/apis/switchyard.dev/v1alpha1/namespaces/default/modelroutes', route('default', 'hot-route', 'start'));
    let operator: OperatorProcess = await startOperatorProcess({
      kubeconfigPath: cluster.kubeconfigPath,
      listenPort,
      replicaId: 'bench',
      args: ['--gateway-service-account', `default/${GATEWAY_SA}`],
    });
    processes.push(operator.process);
    const gateways: GatewayProcess[] = [];
    for (const name of ['bench-gw-1', 'bench-gw-2']) {
      const gateway = await startClusterGateway({ controlPlaneUrl: operator.listenUrl, tokenFile, name });
      processes.push(gateway.process);
      gateways.push(gateway);
      await waitFor('ready', async () => (await readyz(gateway.url)).status === 200);
    }
    const small = summary(await changeLatencies(client, gateways, key, 'default', 'hot-route', CHANGES));
    console.log(
      JSON.stringify({
        phase: 'small',
        applyToAllGatewaysServingMs: small,
        loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      }),
    );
    await operator.process.stop();

    // 2. Bulk objects, created while no operator runs.
    const createdAt = performance.now();
    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
    await pool(namespaces, 4, (ns) =>
      client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }).then(() => undefined),
    );
    const routeJobs = Array.from({ length: ROUTES }, (_, i) => i);
    await pool(routeJobs, 16, async (i) => {
      const ns = namespaces[i % NAMESPACES] as string;
      await client.create(`/apis/switchyard.dev/v1alpha1/namespaces/${ns}/modelroutes`, route(ns, `model-${i}`, `answer ${i}`));
    });
    const keyJobs = Array.from({ length: KEYS }, (_, i) => i);
    await pool(keyJobs, 16, async (i) => {
      const ns = namespaces[i % NAMESPACES] as string;
      await client.create(`/api/v1/namespaces/${ns}/secrets`, secret(ns, `key-${i}-key`, `sk-sy-${String(i).padStart(40, '0')}`));
      await client.create(`/apis/switchyard.dev/v1alpha1/namespaces/${ns}/virtualkeys`, vk(ns, `key-${i}`));
    });
    console.log(
      JSON.stringify({ phase: 'created', routes: ROUTES, keys: KEYS, seconds: Math.round((performance.now() - createdAt) / 1000) }),
    );

    const startedAt = performance.now();
    operator = await startOperatorProcess({
      kubeconfigPath: cluster.kubeconfigPath,
      listenPort,
      replicaId: 'bench-2',
      args: ['--gateway-service-account', `default/${GATEWAY_SA}`],
    });
    processes.push(operator.process);
    const compiled = await operator.process.waitForRecord((r) => r.msg === 'routing table compiled' && Number(r.keys) >= KEYS, 600_000);
    const firstTableSeconds = (performance.now() - startedAt) / 1000;
    const metric = async (name: string) => {
      const text = await (await fetch(`${operator.healthUrl}/metrics`)).text();
      return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    await waitFor('gateways reconnected', async () => (await metric('switchyard_operator_connected_gateways')) === 2, 120_000, 250);
    // Initial status: every object once at first compile, once more when Programmed.
    let lastWrites = -1;
    await waitFor(
      'status writes settled',
      async () => {
        const writes = await metric('switchyard_operator_status_writes_total');
        const depth = await metric('switchyard_operator_queue_depth');
        const settled = writes === lastWrites && depth === 0 && writes >= KEYS + ROUTES;
        lastWrites = writes;
        return settled;
      },
      900_000,
      3_000,
    );
    const statusSeconds = (performance.now() - startedAt) / 1000;
    const operatorRss = rssMb(operator.process.child.pid);
    const heapUsedMb = async () => Math.round((await metric('switchyard_operator_nodejs_heap_size_used_bytes')) / 1024 / 1024);
    const operatorHeap = await heapUsedMb();
    const gatewayRss = gateways.map((g) => rssMb(g.process.child.pid));
    const compiledBefore = operator.process.records().length;
    const bulk = summary(
      await changeLatencies(client, gateways, `sk-sy-${'0'.repeat(40)}`, 'bench-0', 'model-0', Math.max(10, Math.round(CHANGES / 2))),
    );
    const changeCompiles = operator.process
      .records()
      .slice(compiledBefore)
      .filter((r) => r.msg === 'routing table compiled')
      .map((r) => Number(r.compileMs))
      .sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        phase: 'bulk',
        routes: ROUTES,
        keys: KEYS,
        firstCompileMs: compiled.compileMs,
        tableJsonBytes: compiled.bytes,
        tableGzipBytes: compiled.gzipBytes,
        operatorStartToFirstTableSeconds: Math.round(firstTableSeconds * 10) / 10,
        operatorStartToStatusSettledSeconds: Math.round(statusSeconds),
        statusWrites: lastWrites,
        operatorRssMb: operatorRss,
        operatorHeapUsedMb: operatorHeap,
        operatorRssAfterChangesMb: rssMb(operator.process.child.pid),
        operatorHeapUsedAfterChangesMb: await heapUsedMb(),
        gatewayRssMb: gatewayRss,
        applyToAllGatewaysServingMs: bulk,
        compileMsPerChange: summary(changeCompiles),
        loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      }),
    );
    client.close();
  } finally {
    for (const proc of processes.reverse()) await proc.stop();
    await cluster.stop();
  }
}

await main();
