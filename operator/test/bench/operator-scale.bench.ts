// Operator benchmark against a real API server (not part of the test suite):
//   node operator/dist/test/bench/operator-scale.bench.js [--keys 10000] [--routes 1000] [--changes 40]
//     [--sizes 10000:1000,30000:3000,100000:10000] [--create-concurrency 32] [--skip-small]
//     [--bulk-changes N] [--gc-every N] [--operator-node-options=--max-semi-space-size=8]
//     [--operator-memory-limit 512M[,2G...]] (per phase; --operator-node-options too, '|'-separated,
//     e.g. "--operator-node-options=|--max-old-space-size=2048": V8's default, then 2 GB)
//     [--heap-snapshot DIR] [--operator-bin /tmp/base/bin/switchyard.mjs]
// 1. small cluster: time from a ModelRoute change (API write) to both gateways serving it;
// 2. bulk, one phase per size of --sizes (keys:routes; default --keys:--routes): creates the
//    routes and keys (with their Secrets) the phase adds to the previous one's, starts the
//    operator, and reports first-compile time, table size, status write-out, operator memory;
//    then the same change latency at that size, and stops the operator. The objects stay for
//    the next phase, so 10k -> 30k -> 100k creates 100k keys once. With --gc-every N the bulk
//    operator runs with the inspector on a loopback port, and every N changes the bench forces a
//    full GC through it and prints heap used after GC beside RSS: heap used without a GC mixes
//    garbage with what is retained. With --operator-memory-limit the operator runs in a memory
//    cgroup with that limit (a pod's limit: the kernel's OOM killer, and Node's heap sized from
//    it); the phase reports the cgroup's OOM kills, its peak and the heap limit Node gets there.
//    With --heap-snapshot DIR the bulk operator writes a heap snapshot (after a full GC, once the
//    status write-out settled) to DIR/operator-<keys>.heapsnapshot, for
//    operator/test/bench/heap-retainers.js to group by what holds it. --operator-bin runs the
//    bulk operator from another build (a copy of an older dist beside this tree's node_modules).
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
import { createMemoryCgroup, parseMemorySize, type MemoryCgroup } from '../support/memory-cgroup.js';
import { waitFor } from '../support/wait-for.js';

const { values } = parseArgs({
  options: {
    keys: { type: 'string' },
    routes: { type: 'string' },
    changes: { type: 'string' },
    namespaces: { type: 'string' },
    'bulk-changes': { type: 'string' },
    'gc-every': { type: 'string' },
    'operator-node-options': { type: 'string' },
    sizes: { type: 'string' },
    'create-concurrency': { type: 'string' },
    'skip-small': { type: 'boolean' },
    'operator-memory-limit': { type: 'string' },
    'heap-snapshot': { type: 'string' },
    'operator-bin': { type: 'string' },
  },
});
const HEAP_SNAPSHOT_DIR = values['heap-snapshot'];
const OPERATOR_BIN = values['operator-bin'];
const KEYS = Number(values.keys ?? 10_000);
const ROUTES = Number(values.routes ?? 1_000);
const CHANGES = Number(values.changes ?? 40);
const NAMESPACES = Number(values.namespaces ?? 10);
const BULK_CHANGES = Number(values['bulk-changes'] ?? Math.max(10, Math.round(CHANGES / 2)));
// A heap snapshot needs the inspector too: it forces the GCs of sample 0.
const GC_EVERY = Number(values['gc-every'] ?? (values['heap-snapshot'] ? 1_000_000 : 0));
const OPERATOR_NODE_OPTIONS = values['operator-node-options'] ?? '';
const GATEWAY_SA = 'bench-gateway';
const SIZES = (values.sizes ?? `${KEYS}:${ROUTES}`).split(',').map((size) => {
  const [keys, routes] = size.split(':').map(Number);
  if (!Number.isInteger(keys) || !Number.isInteger(routes)) throw new Error(`--sizes wants keys:routes,...; got ${size}`);
  return { keys: keys as number, routes: routes as number };
});
// Two requests per key (Secret and VirtualKey) in flight per slot: the API server, not the
// bench, bounds set-up time; more than this only queues in its priority-and-fairness.
const CREATE_CONCURRENCY = Number(values['create-concurrency'] ?? 32);
// Per phase (comma-separated like --sizes; the last one holds for the phases after it).
const MEMORY_LIMITS = values['operator-memory-limit'] ? values['operator-memory-limit'].split(',').map(parseMemorySize) : [];
const NODE_OPTIONS_PER_PHASE = OPERATOR_NODE_OPTIONS.split('|').map((options) => options.trim());
const perPhase = <T>(list: readonly T[], phase: number): T | undefined => list[Math.min(phase, list.length - 1)];

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

interface AfterGc {
  /** RSS and heap used as they were before the forced GC. */
  rssBeforeGcMb: number;
  heapUsedBeforeGcMb: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}

// Forces a full (mark-compact) GC in the operator through the inspector protocol, then reads
// process.memoryUsage() there: what the heap retains, not what it has not collected yet.
async function memoryAfterGc(inspectorPort: number, pid: number | undefined, snapshotPath?: string): Promise<AfterGc> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const socket = new WebSocket((targets[0] as { webSocketDebuggerUrl: string }).webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let nextId = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++nextId;
      const onMessage = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> };
        if (message.id !== id) return;
        socket.removeEventListener('message', onMessage);
        resolve(message.result ?? {});
      };
      socket.addEventListener('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  const usage = async () => {
    const evaluated = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    return JSON.parse(String((evaluated.result as { value: string }).value)) as NodeJS.MemoryUsage;
  };
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  try {
    const rssBeforeGcMb = rssMb(pid);
    const before = await usage();
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const after = await usage();
    if (snapshotPath !== undefined) {
      // v8.writeHeapSnapshot collects garbage first and blocks the operator while it writes.
      const expression = `process.getBuiltinModule('node:v8').writeHeapSnapshot(${JSON.stringify(snapshotPath)})`;
      await call('Runtime.evaluate', { expression, returnByValue: true });
    }
    return {
      rssBeforeGcMb,
      heapUsedBeforeGcMb: mb(before.heapUsed),
      rssMb: mb(after.rss),
      heapUsedMb: mb(after.heapUsed),
      externalMb: mb(after.external),
      arrayBuffersMb: mb(after.arrayBuffers),
    };
  } finally {
    socket.close();
  }
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
  afterChange?: (done: number) => Promise<void>,
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
    await afterChange?.(i + 1);
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
  let cgroup: MemoryCgroup | undefined;
  if (MEMORY_LIMITS.length > 0) {
    cgroup = createMemoryCgroup(`switchyard-operator-bench-${process.pid}`, MEMORY_LIMITS[0] as number);
    if (!cgroup)
      throw new Error('--operator-memory-limit: no writable memory cgroup (cgroup v2 /sys/fs/cgroup or v1 /sys/fs/cgroup/memory)');
  }
  let phaseNodeOptions = perPhase(NODE_OPTIONS_PER_PHASE, 0) ?? '';
  const operatorNodeOptions = (inspectorPort: number) =>
    [phaseNodeOptions, GC_EVERY > 0 ? `--inspect=127.0.0.1:${inspectorPort}` : ''].join(' ').trim();
  try {
    const client = KubeClient.fromKubeconfig(cluster.kubeconfigPath);
    const tokenFile = await cluster.tokenFile(GATEWAY_SA);
    const [listenPort, inspectorPort] = (await findFreePorts(2)) as [number, number];
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
    const startOperator = (replicaId: string) =>
      startOperatorProcess({
        kubeconfigPath: cluster.kubeconfigPath,
        listenPort,
        replicaId,
        args: ['--gateway-service-account', `default/${GATEWAY_SA}`],
        env: { NODE_OPTIONS: operatorNodeOptions(inspectorPort) },
        ...(cgroup ? { launcher: cgroup.launcher() } : {}),
        ...(OPERATOR_BIN !== undefined && replicaId !== 'bench' ? { bin: OPERATOR_BIN } : {}),
      });

    // 1. Small: one route, one key.
    await client.create('/api/v1/namespaces/default/secrets', secret('default', 'bench-key', key));
    await client.create('/apis/switchyard.dev/v1alpha1/namespaces/default/virtualkeys', {
      ...vk('default', 'bench'),
      spec: { secretName: 'bench-key' },
    });
    await client.create('/apis/switchyard.dev/v1alpha1/namespaces/default/modelroutes', route('default', 'hot-route', 'start'));
    let operator: OperatorProcess = await startOperator('bench');
    processes.push(operator.process);
    const gateways: GatewayProcess[] = [];
    for (const name of ['bench-gw-1', 'bench-gw-2']) {
      const gateway = await startClusterGateway({ controlPlaneUrl: operator.listenUrl, tokenFile, name });
      processes.push(gateway.process);
      gateways.push(gateway);
      await waitFor('ready', async () => (await readyz(gateway.url)).status === 200);
    }
    if (!values['skip-small']) {
      const small = summary(await changeLatencies(client, gateways, key, 'default', 'hot-route', CHANGES));
      console.log(
        JSON.stringify({
          phase: 'small',
          applyToAllGatewaysServingMs: small,
          loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
        }),
      );
    }
    await operator.process.stop();

    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
    await pool(namespaces, 4, (ns) =>
      client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }).then(() => undefined),
    );
    let createdRoutes = 0;
    let createdKeys = 0;
    for (const [phaseIndex, size] of SIZES.entries()) {
      // 2. Bulk objects this phase adds, created while no operator runs.
      const createdAt = performance.now();
      const routeJobs = Array.from({ length: Math.max(0, size.routes - createdRoutes) }, (_, i) => createdRoutes + i);
      await pool(routeJobs, CREATE_CONCURRENCY, async (i) => {
        const ns = namespaces[i % NAMESPACES] as string;
        await client.create(`/apis/switchyard.dev/v1alpha1/namespaces/${ns}/modelroutes`, route(ns, `model-${i}`, `answer ${i}`));
      });
      const keyJobs = Array.from({ length: Math.max(0, size.keys - createdKeys) }, (_, i) => createdKeys + i);
      await pool(keyJobs, CREATE_CONCURRENCY, async (i) => {
        const ns = namespaces[i % NAMESPACES] as string;
        await Promise.all([
          client.create(`/api/v1/namespaces/${ns}/secrets`, secret(ns, `key-${i}-key`, `sk-sy-${String(i).padStart(40, '0')}`)),
          client.create(`/apis/switchyard.dev/v1alpha1/namespaces/${ns}/virtualkeys`, vk(ns, `key-${i}`)),
        ]);
      });
      const added = routeJobs.length + keyJobs.length;
      createdRoutes = Math.max(createdRoutes, size.routes);
      createdKeys = Math.max(createdKeys, size.keys);
      console.log(
        JSON.stringify({
          phase: 'created',
          routes: createdRoutes,
          keys: createdKeys,
          addedRoutes: routeJobs.length,
          addedKeysWithSecrets: keyJobs.length,
          seconds: Math.round((performance.now() - createdAt) / 1000),
          concurrency: CREATE_CONCURRENCY,
        }),
      );
      const ok = await bulkPhase({ phaseIndex, size, added });
      if (!ok) break;
    }
    client.close();

    async function bulkPhase({ phaseIndex, size, added }: { phaseIndex: number; size: { keys: number; routes: number }; added: number }) {
      phaseNodeOptions = perPhase(NODE_OPTIONS_PER_PHASE, phaseIndex) ?? '';
      cgroup?.setLimit(perPhase(MEMORY_LIMITS, phaseIndex) as number);
      cgroup?.resetPeak();
      const startedAt = performance.now();
      operator = await startOperator(`bench-${phaseIndex + 2}`);
      processes.push(operator.process);
      const exited = operator.process.exited.then((code) => ({ exited: code }));
      const crashed = async (where: string, error: unknown) => {
        const code = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2_000))]);
        const logs = operator.process.logs();
        console.log(
          JSON.stringify({
            phase: 'bulk-failed',
            routes: size.routes,
            keys: size.keys,
            where,
            error: String(error).slice(0, 300),
            operatorExitCode: code?.exited,
            heapOutOfMemory: /heap out of memory|Reached heap limit/.test(logs),
            logTail: logs.slice(-1500),
            ...(cgroup ? { cgroup: cgroup.stats(), nodeHeapLimitMb: cgroup.nodeHeapLimitMb(phaseNodeOptions) } : {}),
            secondsSinceStart: Math.round((performance.now() - startedAt) / 1000),
          }),
        );
        return false;
      };
      let compiled: Record<string, unknown>;
      try {
        compiled = await operator.process.waitForRecord(
          (r) => r.msg === 'routing table compiled' && Number(r.keys) >= size.keys,
          1_800_000,
        );
      } catch (error) {
        return crashed('first table', error);
      }
      const firstTableSeconds = (performance.now() - startedAt) / 1000;
      const metric = async (name: string) => {
        const text = await (await fetch(`${operator.healthUrl}/metrics`)).text();
        return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
      };
      let gatewaysServingSeconds = 0;
      let statusSeconds = 0;
      let lastWrites = -1;
      try {
        await waitFor('gateways reconnected', async () => (await metric('switchyard_operator_connected_gateways')) === 2, 600_000, 250);
        // Both gateways serve the new table once a request with a key of this phase gets an answer.
        const newest = `sk-sy-${String(size.keys - 1).padStart(40, '0')}`;
        const newestRoute = `model-${size.routes - 1}`;
        await Promise.all(
          gateways.map((gateway) =>
            waitFor(
              'the bulk table',
              async () => (await ask(gateway, newest, newestRoute)) === `answer ${size.routes - 1}`,
              1_200_000,
              250,
            ),
          ),
        );
        gatewaysServingSeconds = (performance.now() - startedAt) / 1000;
        // Initial status: every object this phase added once at first compile, once more when Programmed.
        await waitFor(
          'status writes settled',
          async () => {
            const writes = await metric('switchyard_operator_status_writes_total');
            const depth = await metric('switchyard_operator_queue_depth');
            const settled = writes === lastWrites && depth === 0 && writes >= added;
            lastWrites = writes;
            return settled;
          },
          1_800_000,
          3_000,
        );
        statusSeconds = (performance.now() - startedAt) / 1000;
      } catch (error) {
        return crashed('gateways and status write-out', error);
      }
      const operatorRss = rssMb(operator.process.child.pid);
      const heapUsedMb = async () => Math.round((await metric('switchyard_operator_nodejs_heap_size_used_bytes')) / 1024 / 1024);
      const operatorHeap = await heapUsedMb();
      const gatewayRss = gateways.map((g) => rssMb(g.process.child.pid));
      const memory: Array<AfterGc & { changes: number }> = [];
      const sampleMemory = async (changes: number) => {
        if (GC_EVERY <= 0 || changes % GC_EVERY !== 0) return;
        const snapshot =
          changes === 0 && HEAP_SNAPSHOT_DIR !== undefined ? `${HEAP_SNAPSHOT_DIR}/operator-${size.keys}.heapsnapshot` : undefined;
        const sample = {
          changes,
          ...(await memoryAfterGc(inspectorPort, operator.process.child.pid, snapshot)),
          ...(snapshot ? { snapshot } : {}),
        };
        memory.push(sample);
        console.log(JSON.stringify({ phase: 'memory', keys: size.keys, ...sample }));
      };
      await sampleMemory(0);
      const compiledBefore = operator.process.records().length;
      let bulk: ReturnType<typeof summary>;
      try {
        bulk = summary(
          await changeLatencies(client, gateways, `sk-sy-${'0'.repeat(40)}`, 'bench-0', 'model-0', BULK_CHANGES, sampleMemory),
        );
      } catch (error) {
        return crashed('changes', error);
      }
      const changeCompiles = operator.process
        .records()
        .slice(compiledBefore)
        .filter((r) => r.msg === 'routing table compiled')
        .map((r) => Number(r.compileMs))
        .sort((a, b) => a - b);
      console.log(
        JSON.stringify({
          phase: 'bulk',
          routes: size.routes,
          keys: size.keys,
          firstCompileMs: compiled.compileMs,
          tableJsonBytes: compiled.bytes,
          tableGzipBytes: compiled.gzipBytes,
          operatorStartToFirstTableSeconds: Math.round(firstTableSeconds * 10) / 10,
          operatorStartToGatewaysServingSeconds: Math.round(gatewaysServingSeconds * 10) / 10,
          operatorStartToStatusSettledSeconds: Math.round(statusSeconds),
          statusWrites: lastWrites,
          operatorRssMb: operatorRss,
          operatorHeapUsedMb: operatorHeap,
          operatorRssAfterChangesMb: rssMb(operator.process.child.pid),
          operatorHeapUsedAfterChangesMb: await heapUsedMb(),
          operatorCpuSeconds: processCpuSeconds(operator.process.child.pid),
          gatewayRssMb: gatewayRss,
          gatewayRssAfterChangesMb: gateways.map((g) => rssMb(g.process.child.pid)),
          applyToAllGatewaysServingMs: bulk,
          compileMsPerChange: summary(changeCompiles),
          ...(memory.length > 0 ? { afterGcFirst: memory[0], afterGcLast: memory.at(-1) } : {}),
          ...(phaseNodeOptions ? { operatorNodeOptions: phaseNodeOptions } : {}),
          ...(cgroup
            ? {
                cgroupLimitMb: Math.round(cgroup.limitBytes / 1024 / 1024),
                cgroup: cgroup.stats(),
                nodeHeapLimitMb: cgroup.nodeHeapLimitMb(phaseNodeOptions),
              }
            : {}),
          ...(process.env.MALLOC_ARENA_MAX ? { mallocArenaMax: process.env.MALLOC_ARENA_MAX } : {}),
          loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
        }),
      );
      await operator.process.stop();
      return true;
    }
  } finally {
    for (const proc of processes.reverse()) await proc.stop();
    await cluster.stop();
    cgroup?.remove();
  }
}

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
function processCpuSeconds(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Math.round((Number(fields[11]) + Number(fields[12])) / 100);
}

await main();
