// The gateway holding a cluster-scale routing table: a real gateway process (cluster mode) fed by
// the operator's own TableStreamServer over HTTP, with the compile-scale bench's cluster
// (buildInput). Reports the gateway's memory (VmRSS and VmHWM from /proc/<pid>/status) before and
// after the first full table and after one-key deltas, its CPU time to load the first table, and
// per delta the time from publish to the gateway's acknowledgement and the gateway's CPU time for
// it. The gateway runs with the chart's settings (NODE_OPTIONS=--max-semi-space-size=8,
// MALLOC_ARENA_MAX=2) unless --node-options says otherwise.
//
//   node bench/gateway-table-scale.mjs [--routes 10000] [--keys 100000] [--budgets 5000] [--deltas 10]
//        [--gateway <root with gateway/dist and compiler/dist>] [--heap] [--json]
//
// `--gateway` starts another build of the gateway (e.g. a copy of an older gateway/dist with its
// compiler/dist beside it) against the same tables, for A/B runs. `--heap` also loads the table
// in this process (decode, then TableHolder.load of the chosen build) and reports the heap each
// step adds, per key.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildInput } from './compile-scale.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const options = {
  routes: 10000,
  keys: 100000,
  budgets: 5000,
  namespaces: 20,
  deltas: 10,
  gateway: repoRoot,
  nodeOptions: '--max-semi-space-size=8',
  heap: false,
  json: false,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const name = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase());
  if (name === 'json' || name === 'heap') options[name] = true;
  else if (name === 'gateway' || name === 'nodeOptions') options[name] = name === 'gateway' ? resolve(argv[++i]) : argv[++i];
  else if (name in options) options[name] = Number(argv[++i]);
  else throw new Error(`unknown argument ${argv[i]}`);
}

const load = (root, path) => import(pathToFileURL(join(root, path)).href);
const compiler = await load(repoRoot, 'compiler/dist/src/index.js');
const { TableStreamServer } = await load(repoRoot, 'operator/dist/src/table-server/table-stream-server.js');

const mb = (kb) => Math.round(kb / 1024);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function procStatus(pid) {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/** User + system CPU milliseconds of a process (clock ticks of /proc/<pid>/stat, 100 per second). */
async function procCpuMs(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// --- the cluster and its tables -----------------------------------------------------------------
const input = buildInput(options);
let version = 0;
let started = performance.now();
const first = compiler.compileRoutingTable({ ...input, version: ++version, clock: () => new Date(version * 1000) });
const compileMs = performance.now() - started;

/**
 * The next table with one key's label changed: what a one-VirtualKey edit compiles to (its entry
 * only; the table hash recomputed), without recompiling the whole cluster for every change.
 */
function withOneKeyChanged(table, n) {
  const keys = table.keys.slice();
  const at = (n * 7919) % keys.length;
  const key = keys[at];
  keys[at] = { ...key, generation: key.generation + 1, labels: { ...key.labels, tier: `tier-${n}` } };
  const content = { ...table, keys, version: table.version + 1 };
  return { ...content, hash: compiler.hashTableContent(content) };
}

// --- the operator's side: a TableStreamServer on loopback -------------------------------------
const dir = await mkdtemp(join(tmpdir(), 'switchyard-gw-scale-'));
const tokenFile = join(dir, 'token');
await writeFile(tokenFile, 'bench-token\n');
const stream = new TableStreamServer({
  authenticate: async () => ({ ok: true, serviceAccount: 'ai/gateway', username: 'system:serviceaccount:ai:gateway' }),
  replicaId: 'bench',
});
const server = createServer((req, res) => {
  if (!stream.handle(req, res)) res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}`;

// --- the gateway process -------------------------------------------------------------------------
const entry = pathToFileURL(join(options.gateway, 'gateway/dist/src/cli/main.js')).href;
const gatewayArgs = ['--control-plane', url, '--token-file', tokenFile, '--host', '127.0.0.1', '--port', '0', '--admin-port', '0'];
const child = spawn(
  process.execPath,
  ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(entry)}); await main(${JSON.stringify(gatewayArgs)});`],
  {
    env: { ...process.env, NODE_OPTIONS: options.nodeOptions, MALLOC_ARENA_MAX: '2', POD_NAME: 'gw-scale', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const pid = child.pid;
const exited = new Promise((r) => child.on('exit', r));
let published;
let publishMs = 0;

const ackedHash = () => stream.sessionList()[0]?.ackedHash;
// A session other than the first means the gateway redialled and got a full table again (e.g. this
// process, busy encoding a 184 MB table, sent no keepalive for the gateway's 45 s inactivity timeout).
const sessions = new Set();
const noteSession = () => {
  for (const session of stream.sessionList()) sessions.add(session.id);
};
async function waitForAck(hash, what) {
  for (;;) {
    noteSession();
    if (ackedHash() === hash) return;
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}) before ${what}`);
    await sleep(5);
  }
}

try {
  // Connected and idle (no table yet): the baseline.
  while (stream.sessionCount === 0) {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}) before connecting`);
    await sleep(20);
  }
  await sleep(1000);
  const idle = await procStatus(pid);
  const idleCpu = await procCpuMs(pid);
  // Timed from when the frame is on the socket: the operator's encoding is not the gateway's cost.
  started = performance.now();
  published = stream.publish(first.table, first.index ?? first.tableJson);
  publishMs = performance.now() - started;
  started = performance.now();
  await waitForAck(first.table.hash, 'the first table');
  const firstLoadMs = performance.now() - started;
  const firstLoadCpuMs = (await procCpuMs(pid)) - idleCpu;
  const afterFirst = await procStatus(pid);
  await sleep(3000);
  const settled = await procStatus(pid);

  // One-key changes, one at a time: publish (the operator builds the delta), then wait for the ack.
  const deltaMs = [];
  const deltaCpuMs = [];
  let table = first.table;
  let deltasSent = 0;
  for (let n = 1; n <= options.deltas; n++) {
    table = withOneKeyChanged(table, n);
    const cpu = await procCpuMs(pid);
    const p = stream.publish(table);
    const t = performance.now();
    if (p.delta) deltasSent += 1;
    await waitForAck(table.hash, `delta ${n}`);
    deltaMs.push(performance.now() - t);
    deltaCpuMs.push((await procCpuMs(pid)) - cpu);
  }
  await sleep(3000);
  const afterDeltas = await procStatus(pid);

  const result = {
    input: { routes: options.routes, keys: options.keys, budgets: options.budgets, gateway: options.gateway },
    table: {
      jsonBytes: published.encoded?.jsonBytes ?? published.jsonBytes,
      gzipBytes: published.encoded?.gzipBytes ?? published.gzipBytes,
      compileMs: Math.round(compileMs),
      publishMs: Math.round(publishMs),
    },
    gateway: {
      nodeOptions: options.nodeOptions,
      idleRssMb: mb(idle.rssKb),
      firstLoadWallMs: Math.round(firstLoadMs),
      firstLoadCpuMs,
      afterFirstRssMb: mb(afterFirst.rssKb),
      settledRssMb: mb(settled.rssKb),
      firstLoadPeakRssMb: mb(settled.hwmKb),
      deltas: deltasSent,
      sessions: sessions.size,
      deltaWallMsMedian: round(median(deltaMs)),
      deltaWallMsMax: round(Math.max(...deltaMs)),
      deltaCpuMsMedian: median(deltaCpuMs),
      afterDeltasRssMb: mb(afterDeltas.rssKb),
      peakRssMb: mb(afterDeltas.hwmKb),
    },
  };
  if (options.heap) result.heap = await heapProfile(table);
  if (options.json) console.log(JSON.stringify(result, null, 2));
  else {
    const g = result.gateway;
    console.log(
      `${options.routes} routes, ${options.keys} keys, ${options.budgets} budgets: table ${result.table.jsonBytes} B JSON, ${result.table.gzipBytes} B gzip (compile ${result.table.compileMs} ms)`,
    );
    console.log(
      `gateway ${options.gateway}: idle ${g.idleRssMb} MB; first table ${g.firstLoadWallMs} ms wall, ${g.firstLoadCpuMs} ms CPU; RSS ${g.afterFirstRssMb} MB after, ${g.settledRssMb} MB settled, peak ${g.firstLoadPeakRssMb} MB`,
    );
    console.log(
      `${g.deltas} one-key deltas (${g.sessions} stream session(s)): publish-to-ack median ${g.deltaWallMsMedian} ms (max ${g.deltaWallMsMax}), gateway CPU median ${g.deltaCpuMsMedian} ms; RSS after ${g.afterDeltasRssMb} MB, peak ${g.peakRssMb} MB`,
    );
    if (result.heap) console.log('heap (MB, in this process):', JSON.stringify(result.heap));
  }
} finally {
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  stream.close();
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true, force: true });
}

/** The heap each step of a load adds, measured in this process with the chosen gateway build. */
async function heapProfile(table) {
  const gc = globalThis.gc;
  if (!gc) throw new Error('--heap needs node --expose-gc');
  const messages = await load(options.gateway, 'gateway/dist/src/control-plane/table-stream-messages.js');
  const { TableHolder } = await load(options.gateway, 'gateway/dist/src/table/table-holder.js');
  const { createProviderRegistry } = await load(options.gateway, 'gateway/dist/src/providers/registry.js');
  const frame = stream.publish(table).frame.toString('utf8');
  const data = /\ndata: (.*)\n\n$/s.exec(frame)[1];
  const used = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const base = used();
  const decoded = await messages.decodeTableMessage(data);
  const afterDecode = used();
  const holder = new TableHolder(createProviderRegistry());
  holder.load(decoded.table);
  const afterLoad = used();
  const perKey = (bytes) => Math.round(bytes / options.keys);
  return {
    decodedTableMb: Math.round((afterDecode - base) / 1e6),
    decodedBytesPerKey: perKey(afterDecode - base),
    runtimeTableMb: Math.round((afterLoad - afterDecode) / 1e6),
    runtimeBytesPerKey: perKey(afterLoad - afterDecode),
    holding: [decoded, holder].length,
  };
}
