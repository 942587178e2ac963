// Where the gateway's time goes, measured in ways that survive a noisy shared machine:
// - CPU time per request of the serving process (utime + stime from /proc), for the gateway
//   and for bench/minimal-proxy.mjs (the floor: node:http + undici + one parse/serialize each
//   way) in the same run, at 32 concurrent requests and one at a time;
// - optionally (PROFILE_CPU=1) a V8 CPU profile of the gateway, summarized as self time by
//   function and by source file.
//
// Env: PROFILE_REQUESTS (per round, default 20000), PROFILE_SEQUENTIAL (default 3000),
// PROFILE_ROUNDS (default 3), PROFILE_LOG_LEVEL (gateway log level, default info: the request
// line is part of the cost), PROFILE_CPU=1 (write and summarize a .cpuprofile),
// PROFILE_TOP (rows in the summary, default 40), PROFILE_STREAM=1 (streamed answers: 23 SSE events
// each, so the stream path's per-event work is what is measured), PROFILE_ALLOC=1 (bytes allocated
// on the JavaScript heap and garbage-collection time per request of each process, through
// bench/alloc-probe.cjs), PROFILE_HEAP=1 (with PROFILE_ALLOC: V8's sampling heap profiler, collected
// objects included, summarized as allocated bytes per request by function; PROFILE_HEAP_SURVIVORS=1
// leaves out what scavenges freed: what outlived one), PROFILE_CHART_ENV=1
// (the gateways get the Helm chart's NODE_OPTIONS and MALLOC_ARENA_MAX, as `make bench` runs them),
// PROFILE_COMPARE_ROOT=<another built checkout> (measured in the same rounds: A/B),
// PROFILE_COMPARE_NODE_OPTIONS (that checkout's gateway gets these NODE_OPTIONS instead).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { benchKeyYaml, benchRouteYaml, chartGatewayEnv, startProcess, stopProcess, VIRTUAL_KEY } from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const REQUESTS = Number(process.env.PROFILE_REQUESTS ?? 20_000);
const SEQUENTIAL = Number(process.env.PROFILE_SEQUENTIAL ?? 3_000);
const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 3);
const LOG_LEVEL = process.env.PROFILE_LOG_LEVEL ?? 'info';
const CPU_PROFILE = process.env.PROFILE_CPU === '1';
const TOP = Number(process.env.PROFILE_TOP ?? 40);
const CONNECTIONS = 32;
const CLOCK_TICKS_PER_SECOND = 100;
const ALLOC = process.env.PROFILE_ALLOC === '1';
const HEAP = ALLOC && process.env.PROFILE_HEAP === '1';
const CHART_ENV = process.env.PROFILE_CHART_ENV === '1';
const allocDir = ALLOC ? mkdtempSync(join(tmpdir(), 'switchyard-alloc-')) : undefined;
const probeArgs = ALLOC ? ['--require', join(here, 'alloc-probe.cjs')] : [];
const probeEnv = ALLOC
  ? {
      ALLOC_PROBE_DIR: allocDir,
      ...(HEAP ? { ALLOC_PROBE_SAMPLING: '1' } : {}),
      ...(HEAP && process.env.PROFILE_HEAP_SURVIVORS === '1' ? { ALLOC_PROBE_SURVIVORS: '1' } : {}),
    }
  : {};

const STREAM = process.env.PROFILE_STREAM === '1';
const requestBody = JSON.stringify({
  model: 'bench-model',
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
  max_tokens: 16,
  ...(STREAM ? { stream: true } : {}),
});
const requestHeaders = { 'content-type': 'application/json', authorization: `Bearer ${VIRTUAL_KEY}` };

/** utime and stime of a process, in microseconds (10 ms resolution). */
function cpuTimes(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    user: (Number(fields[11]) * 1_000_000) / CLOCK_TICKS_PER_SECOND,
    system: (Number(fields[12]) * 1_000_000) / CLOCK_TICKS_PER_SECOND,
  };
}

function peakRssMb(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function oneRequest(pool, path) {
  const response = await pool.request({ path, method: 'POST', headers: requestHeaders, body: requestBody });
  await response.body.arrayBuffer();
  if (response.statusCode !== 200) throw new Error(`${path}: status ${response.statusCode}`);
}

async function concurrentPass(origin, path, total) {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  let issued = 0;
  const worker = async () => {
    while (issued < total) {
      issued += 1;
      await oneRequest(pool, path);
    }
  };
  const started = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  } finally {
    await pool.close();
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function sequentialPass(origin, path, total) {
  const pool = new Pool(origin, { connections: 1, pipelining: 1 });
  const samples = [];
  try {
    for (let i = 0; i < total; i++) {
      const start = process.hrtime.bigint();
      await oneRequest(pool, path);
      samples.push(Number(process.hrtime.bigint() - start) / 1000);
    }
  } finally {
    await pool.close();
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

/** GC time outside the young generation's scavenges (full mark-compact collections and their incremental steps). */
const majorGcMicros = (counters) =>
  Object.entries(counters.byType ?? {})
    .filter(([type]) => type !== 'Scavenge')
    .reduce((sum, [, micros]) => sum + micros, 0);

/** Allocation counters of a process started with bench/alloc-probe.cjs (zeros without PROFILE_ALLOC). */
async function allocCounters(pid) {
  if (!ALLOC) return { allocated: 0, gcMicros: 0, byType: {} };
  const file = join(allocDir, `${pid}.json`);
  const read = () => {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return { seq: 0 };
    }
  };
  const before = read().seq;
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    const now = read();
    if (now.seq > before) return now;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function measure(target) {
  const { origin, path, pid } = target;
  await concurrentPass(origin, path, 2_000); // warm up JIT and pools
  const from = nowMicros();
  const alloc0 = await allocCounters(pid);
  let cpu = cpuTimes(pid);
  const seconds = await concurrentPass(origin, path, REQUESTS);
  let after = cpuTimes(pid);
  const alloc1 = await allocCounters(pid);
  const concurrentUser = (after.user - cpu.user) / REQUESTS;
  const concurrentSystem = (after.system - cpu.system) / REQUESTS;
  cpu = cpuTimes(pid);
  const p50 = await sequentialPass(origin, path, SEQUENTIAL);
  after = cpuTimes(pid);
  const alloc2 = await allocCounters(pid);
  target.windows.push([from, nowMicros()]);
  const sequentialUser = (after.user - cpu.user) / SEQUENTIAL;
  const sequentialSystem = (after.system - cpu.system) / SEQUENTIAL;
  return {
    concurrentCpu: concurrentUser + concurrentSystem,
    concurrentUser,
    concurrentSystem,
    sequentialCpu: sequentialUser + sequentialSystem,
    sequentialUser,
    rps: REQUESTS / seconds,
    p50,
    concurrentKb: (alloc1.allocated - alloc0.allocated) / 1024 / REQUESTS,
    concurrentGc: (alloc1.gcMicros - alloc0.gcMicros) / REQUESTS,
    sequentialKb: (alloc2.allocated - alloc1.allocated) / 1024 / SEQUENTIAL,
    sequentialGc: (alloc2.gcMicros - alloc1.gcMicros) / SEQUENTIAL,
    concurrentMajorGc: (majorGcMicros(alloc1) - majorGcMicros(alloc0)) / REQUESTS,
    concurrentSurvivedKb: ((alloc1.survived ?? 0) - (alloc0.survived ?? 0)) / 1024 / REQUESTS,
    concurrentScavenges: ((alloc1.collections ?? 0) - (alloc0.collections ?? 0)) / (REQUESTS / 1000),
    sequentialMajorGc: (majorGcMicros(alloc2) - majorGcMicros(alloc1)) / SEQUENTIAL,
  };
}

function writeConfig(upstreamUrl) {
  const configDir = mkdtempSync(join(tmpdir(), 'switchyard-profile-'));
  writeFileSync(join(configDir, 'bench.yaml'), `${benchRouteYaml(upstreamUrl)}---\n${benchKeyYaml('bench', VIRTUAL_KEY)}`);
  return configDir;
}

/**
 * Self and inclusive time by function, self time by file, from a .cpuprofile, counting only
 * samples taken inside `windows` (the measured passes: startup and warm-up are left out).
 * V8 stamps samples with the same monotonic clock as process.hrtime.
 */
function summarizeProfile(name, file, windows, served) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inWindow = (t) => windows.some(([from, to]) => t >= from && t <= to);
  const selfMicros = new Map();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    if (!inWindow(t)) continue;
    const id = profile.samples[i];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  }
  const labelOf = (callFrame) => {
    const where = callFrame.url ? fileLabel(callFrame.url) : '';
    return `${callFrame.functionName || '(anonymous)'} ${where}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
  };
  let total = 0;
  let idle = 0;
  const byFunction = new Map();
  const byFile = new Map();
  const inclusive = new Map();
  for (const [id, micros] of selfMicros) {
    const { callFrame } = byId.get(id);
    if (callFrame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    total += micros;
    const fn = labelOf(callFrame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
    const fileKey = callFrame.url ? fileLabel(callFrame.url) : callFrame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + micros);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at).callFrame;
      if (!frame.url || !/\/(gateway|compiler)\/dist\/|prom-client|minimal-proxy/.test(frame.url)) continue;
      const label = labelOf(frame);
      if (seen.has(label)) continue;
      seen.add(label);
      inclusive.set(label, (inclusive.get(label) ?? 0) + micros);
    }
  }
  const rows = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(
        ([label, micros]) =>
          `${((micros / total) * 100).toFixed(1).padStart(5)}% ${(micros / served).toFixed(1).padStart(6)} µs/req  ${label}`,
      )
      .join('\n');
  console.log(
    `\n== ${name}: CPU profile ${file}\n${(total / 1000).toFixed(0)} ms busy in the measured passes (${(total / served).toFixed(0)} µs per request), ${(idle / 1000).toFixed(0)} ms idle`,
  );
  console.log(`\nSelf time by file:\n${rows(byFile)}`);
  console.log(`\nSelf time by function:\n${rows(byFunction)}`);
  console.log(`\nInclusive time, gateway and prom-client functions:\n${rows(inclusive)}`);
}

/**
 * Allocated bytes per request by function (self) and by file, from a sampling heap profile taken
 * with collected objects included, so it counts what was allocated, not what survived. `served`
 * counts every request the process answered while the sampler ran.
 */
function summarizeHeap(name, file, served) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byFunction = new Map();
  const byFile = new Map();
  const inclusive = new Map();
  let total = 0;
  const walk = (node, stack) => {
    const { callFrame } = node;
    const where = callFrame.url ? fileLabel(callFrame.url) : '';
    const label = `${callFrame.functionName || '(anonymous)'} ${where}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    const here = [...stack, label];
    if (node.selfSize > 0) {
      total += node.selfSize;
      byFunction.set(label, (byFunction.get(label) ?? 0) + node.selfSize);
      const fileKey = where || callFrame.functionName;
      byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + node.selfSize);
      for (const frame of new Set(here.filter((l) => /gw\/|compiler\/dist|minimal-proxy/.test(l))))
        inclusive.set(frame, (inclusive.get(frame) ?? 0) + node.selfSize);
    }
    for (const child of node.children ?? []) walk(child, here);
  };
  walk(profile.head, []);
  const rows = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(
        ([label, bytes]) => `${((bytes / total) * 100).toFixed(1).padStart(5)}% ${(bytes / served).toFixed(0).padStart(6)} B/req  ${label}`,
      )
      .join('\n');
  console.log(`\n== ${name}: sampled allocations ${file}\n${(total / served / 1024).toFixed(2)} KB per request `);
  console.log(`\nAllocated by file:\n${rows(byFile)}`);
  console.log(`\nAllocated by function (self):\n${rows(byFunction)}`);
  console.log(`\nAllocated under, gateway and compiler functions (inclusive):\n${rows(inclusive)}`);
}

function fileLabel(url) {
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith('node:')) return path;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0)
    return (
      path
        .slice(nm + 'node_modules/'.length)
        .split('/')
        .slice(0, 1)
        .join('/') +
      '/' +
      basename(path)
    );
  if (path.startsWith(repoRoot)) return path.slice(repoRoot.length + 1).replace('gateway/dist/src/', 'gw/');
  return path;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const upstream = await startProcess([join(here, 'mock-openai-upstream.mjs')], (m) => typeof m.port === 'number');
  const upstreamOrigin = `http://127.0.0.1:${upstream.info.port}`;
  const profileDir = mkdtempSync(join(tmpdir(), 'switchyard-cpuprof-'));
  const configDir = writeConfig(upstreamOrigin);
  const profiled = (name, args) => [
    ...probeArgs,
    ...(CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : []),
    ...args,
  ];
  // PROFILE_COMPARE_NODE_OPTIONS: the compared gateway's NODE_OPTIONS instead (e.g. "" for V8's
  // own young-generation sizing beside the chart's), to measure a setting rather than a build.
  const compareNodeOptions = process.env.PROFILE_COMPARE_NODE_OPTIONS;
  const startGateway = (name, root) =>
    startProcess(
      profiled(name, [join(root, 'bin', 'switchyard.mjs'), 'gateway', '--config', configDir, '--port', '0', '--admin-port', '0']),
      (m) => m.msg === 'listening',
      {
        ...(CHART_ENV ? chartGatewayEnv(repoRoot) : {}),
        ...(name === 'switchyard-compare' && compareNodeOptions !== undefined ? { NODE_OPTIONS: compareNodeOptions } : {}),
        ...probeEnv,
        SWITCHYARD_LOG_LEVEL: LOG_LEVEL,
      },
    );
  // The floor parses whole JSON answers and forwards streams chunk by chunk (minimal-proxy.mjs).
  const started = [
    [
      'minimal-proxy',
      await startProcess(
        profiled('minimal-proxy', [join(here, 'minimal-proxy.mjs'), upstreamOrigin]),
        (m) => typeof m.port === 'number',
        probeEnv,
      ),
    ],
  ];
  // PROFILE_COMPARE_ROOT: another checkout (built) measured in the same run, e.g. the last commit.
  if (process.env.PROFILE_COMPARE_ROOT)
    started.push(['switchyard-compare', await startGateway('switchyard-compare', process.env.PROFILE_COMPARE_ROOT)]);
  started.push(['switchyard', await startGateway('switchyard', repoRoot)]);
  const targets = started.map(([name, proc]) => ({
    name,
    proc,
    origin: `http://127.0.0.1:${proc.info.port}`,
    path: '/v1/chat/completions',
    pid: proc.child.pid,
    runs: [],
    windows: [],
  }));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotated each round, so no process always runs right after the same other one.
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length];
        target.runs.push(await measure(target));
      }
    }
  } finally {
    for (const target of targets) target.rss = peakRssMb(target.pid);
    await Promise.all([...targets.map((t) => stopProcess(t.proc.child)), stopProcess(upstream.child)]);
  }
  console.log(
    `${REQUESTS} ${STREAM ? 'streamed ' : ''}requests at ${CONNECTIONS} connections + ${SEQUENTIAL} sequential per round, ${ROUNDS} rounds (medians); gateway log level ${LOG_LEVEL}`,
  );
  console.log(
    '| process | CPU µs/request at 32 conn (user + sys) | CPU µs/request sequential (user) | req/s at 32 conn | p50 sequential (µs) | peak RSS |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const target of targets) {
    const pick = (field) => median(target.runs.map((r) => r[field])).toFixed(0);
    console.log(
      `| ${target.name} | ${pick('concurrentCpu')} (${pick('concurrentUser')} + ${pick('concurrentSystem')}) | ${pick('sequentialCpu')} (${pick('sequentialUser')}) | ${pick('rps')} | ${pick('p50')} | ${target.rss.toFixed(0)} MB |`,
    );
  }
  // Each process against the floor, and this checkout against the compared one (same-run A/B).
  const compareRatios = (target, baseline) => {
    const ratio = (field) => median(target.runs.map((r) => r[field])) / median(baseline.runs.map((r) => r[field]));
    console.log(
      `${target.name} / ${baseline.name} CPU per request: ${ratio('concurrentCpu').toFixed(2)}x at 32 conn, ${ratio('sequentialCpu').toFixed(2)}x sequential (user ${ratio('sequentialUser').toFixed(2)}x); req/s ${ratio('rps').toFixed(2)}x`,
    );
  };
  const [floor, ...gateways] = targets;
  for (const target of gateways) compareRatios(target, floor);
  if (ALLOC) {
    console.log(
      '\n| process | KB allocated per request at 32 conn | sequential | GC µs per request at 32 conn (of it outside scavenges) | sequential | KB kept by scavenges per request, 32 conn | collections per 1000 requests |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const target of targets) {
      const pick = (field) => median(target.runs.map((r) => r[field])).toFixed(2);
      console.log(
        `| ${target.name} | ${pick('concurrentKb')} | ${pick('sequentialKb')} | ${pick('concurrentGc')} (${pick('concurrentMajorGc')}) | ${pick('sequentialGc')} (${pick('sequentialMajorGc')}) | ${pick('concurrentSurvivedKb')} | ${pick('concurrentScavenges')} |`,
      );
    }
    if (HEAP) {
      // Sampling ran from the first measured pass to exit: the warm-ups of later rounds are in it.
      const served = ROUNDS * (REQUESTS + SEQUENTIAL) + (ROUNDS - 1) * 2_000;
      for (const target of targets) summarizeHeap(target.name, join(allocDir, `${target.pid}.heapprofile`), served);
    }
  }
  const compared = gateways.find((t) => t.name === 'switchyard-compare');
  const current = gateways.find((t) => t.name === 'switchyard');
  if (compared !== undefined && current !== undefined) {
    compareRatios(current, compared);
    // The same pair as the median of per-round ratios: each round's two passes ran minutes apart
    // at most, so the machine's drift between rounds cancels out.
    const perRound = (field) =>
      median(current.runs.map((run, i) => run[field] / compared.runs[i][field]))
        .toFixed(3)
        .padStart(5);
    console.log(
      `${current.name} / ${compared.name}, median of per-round ratios: CPU ${perRound('concurrentCpu')} at 32 conn, ${perRound('sequentialCpu')} sequential${ALLOC ? `; allocated ${perRound('concurrentKb')} at 32 conn, ${perRound('sequentialKb')} sequential; GC ${perRound('concurrentGc')}, ${perRound('sequentialGc')}` : ''}`,
    );
  }
  if (CPU_PROFILE) {
    const served = ROUNDS * (REQUESTS + SEQUENTIAL);
    for (const target of targets) {
      writeFileSync(join(profileDir, target.name, 'windows.json'), JSON.stringify(target.windows));
      for (const file of readdirSync(join(profileDir, target.name)).filter((f) => f.endsWith('.cpuprofile')))
        summarizeProfile(target.name, join(profileDir, target.name, file), target.windows, served);
    }
  }
}

await main();
