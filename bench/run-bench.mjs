// `make bench`: the gateway in front of a local OpenAI-shaped upstream versus the upstream
// directly. Reports p50/p99 added latency (sequential pass), throughput at 32 concurrent
// connections, and the gateway's peak RSS. Writes the table to docs/benchmarks.md.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { Pool } from 'undici';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  benchKeyYaml,
  chartGatewayEnv,
  benchRouteYaml,
  CONNECTIONS,
  loadTest,
  measureRound,
  median,
  percentile,
  startProcess,
  stopProcess,
  VIRTUAL_KEY,
  writeGeneratedBlock,
} from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const SEQUENTIAL_REQUESTS = Number(process.env.BENCH_SEQUENTIAL ?? 3000);
const CONCURRENT_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

// Streams: the mock upstream answers with 23 SSE events (role, 20 content deltas, finish, usage).
const streamRequestBody = JSON.stringify({
  model: 'bench-model',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
  max_tokens: 16,
});
const STREAM_SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 5);

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

async function measureStreams(url) {
  await loadTest(url, { connections: 8, duration: 1, body: streamRequestBody });
  const result = await loadTest(url, { connections: CONNECTIONS, duration: STREAM_SECONDS, body: streamRequestBody });
  if (result.errors + result.non2xx > 0) throw new Error(`${url}: ${result.errors + result.non2xx} failed streams`);
  return result.requests.average;
}

/** Events in one streamed bench answer (role, 20 content deltas, finish, usage). */
const STREAM_EVENTS = 23;
const STREAM_SEQUENTIAL = Number(process.env.BENCH_STREAM_SEQUENTIAL ?? 1000);

/**
 * Time to the first body byte and to the end of `count` streamed answers, one at a time over one
 * connection (p50 in µs): what a streaming caller waits for the first token, and what the events
 * after it cost.
 */
async function streamTimings(url, count) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 1, pipelining: 1 });
  const first = [];
  const total = [];
  try {
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      const response = await pool.request({
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${VIRTUAL_KEY}` },
        body: streamRequestBody,
      });
      let firstAt;
      for await (const _chunk of response.body) firstAt ??= process.hrtime.bigint();
      const end = process.hrtime.bigint();
      if (response.statusCode !== 200) throw new Error(`${url}: status ${response.statusCode}`);
      first.push(Number((firstAt ?? end) - start) / 1000);
      total.push(Number(end - start) / 1000);
    }
  } finally {
    await pool.close();
  }
  first.sort((a, b) => a - b);
  total.sort((a, b) => a - b);
  return { ttft: percentile(first, 0.5), total: percentile(total, 0.5) };
}

const measure = (url, pid) => measureRound(url, { sequential: SEQUENTIAL_REQUESTS, seconds: CONCURRENT_SECONDS, pid });

async function main() {
  const upstream = await startProcess([join(here, 'mock-openai-upstream.mjs')], (m) => typeof m.port === 'number');
  const upstreamUrl = `http://127.0.0.1:${upstream.info.port}`;
  const configDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  writeFileSync(join(configDir, 'bench.yaml'), `${benchRouteYaml(upstreamUrl)}---\n${benchKeyYaml('bench', VIRTUAL_KEY)}`);
  const gateway = await startProcess(
    [join(repoRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', configDir, '--port', '0', '--admin-port', '0'],
    (m) => m.msg === 'listening',
    { ...chartGatewayEnv(repoRoot), SWITCHYARD_LOG_LEVEL: 'info' },
  );
  // The floor: node:http in, one undici Pool out, one JSON parse and serialize each way; no
  // auth, routing, metrics or logs. Measured in the same rounds, so the machine's state on the
  // day is visible in the table.
  const floor = await startProcess([join(here, 'minimal-proxy.mjs'), upstreamUrl], (m) => typeof m.port === 'number');
  const floorUrl = `http://127.0.0.1:${floor.info.port}/v1/chat/completions`;
  const gatewayUrl = `http://127.0.0.1:${gateway.info.port}/v1/chat/completions`;
  const directUrl = `${upstreamUrl}/v1/chat/completions`;

  const direct = [];
  const viaGateway = [];
  const viaFloor = [];
  const directStreams = [];
  const floorStreams = [];
  const gatewayStreams = [];
  const directStreamTimes = [];
  const floorStreamTimes = [];
  const gatewayStreamTimes = [];
  let rss;
  let floorRss;
  let streamingRss;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await measure(directUrl));
      viaFloor.push(await measure(floorUrl, floor.child.pid));
      viaGateway.push(await measure(gatewayUrl, gateway.child.pid));
    }
    // The peak is a high-water mark: read it before the streaming passes, which add their own.
    rss = peakRssMb(gateway.child.pid);
    floorRss = peakRssMb(floor.child.pid);
    for (let round = 0; round < ROUNDS; round++) {
      directStreams.push(await measureStreams(directUrl));
      floorStreams.push(await measureStreams(floorUrl));
      gatewayStreams.push(await measureStreams(gatewayUrl));
      directStreamTimes.push(await streamTimings(directUrl, STREAM_SEQUENTIAL));
      floorStreamTimes.push(await streamTimings(floorUrl, STREAM_SEQUENTIAL));
      gatewayStreamTimes.push(await streamTimings(gatewayUrl, STREAM_SEQUENTIAL));
    }
    streamingRss = peakRssMb(gateway.child.pid);
  } finally {
    await Promise.all([gateway, floor, upstream].map((started) => stopProcess(started.child)));
  }

  const pick = (runs, field) => median(runs.map((r) => r[field]));
  const row = (name, runs) => ({
    name,
    p50: pick(runs, 'p50us'),
    p99: pick(runs, 'p99us'),
    rps: pick(runs, 'rps'),
    perCpu: runs[0]?.requestsPerCpuSecond === undefined ? undefined : pick(runs, 'requestsPerCpuSecond'),
  });
  const perCpu = (r) => (r.perCpu === undefined ? '-' : r.perCpu.toFixed(0));
  const d = row('upstream directly', direct);
  const g = row('through switchyard', viaGateway);
  const f = row('floor: minimal node:http + undici proxy', viaFloor);
  const added = { p50: g.p50 - d.p50, p99: g.p99 - d.p99 };
  const floorAdded = { p50: f.p50 - d.p50, p99: f.p99 - d.p99 };
  const lines = [
    `| path | p50 (sequential) | p99 (sequential) | added p50 / p99 | req/s at ${CONNECTIONS} connections | requests per CPU-second | peak RSS |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${d.name} | ${d.p50.toFixed(0)} µs | ${d.p99.toFixed(0)} µs | - | ${d.rps.toFixed(0)} | - | - |`,
    `| ${f.name} | ${f.p50.toFixed(0)} µs | ${f.p99.toFixed(0)} µs | ${floorAdded.p50.toFixed(0)} / ${floorAdded.p99.toFixed(0)} µs | ${f.rps.toFixed(0)} | ${perCpu(f)} | ${floorRss.toFixed(0)} MB |`,
    `| ${g.name} | ${g.p50.toFixed(0)} µs | ${g.p99.toFixed(0)} µs | ${added.p50.toFixed(0)} / ${added.p99.toFixed(0)} µs | ${g.rps.toFixed(0)} | ${perCpu(g)} | ${rss.toFixed(0)} MB |`,
    '',
    `Switchyard vs the floor: ${(g.rps / f.rps).toFixed(2)}x the throughput, ${g.perCpu !== undefined && f.perCpu !== undefined ? `${(g.perCpu / f.perCpu).toFixed(2)}x the requests per CPU-second, ` : ''}${(added.p50 - floorAdded.p50).toFixed(0)} µs more added p50. Requests per CPU-second: requests served in the throughput pass divided by the user and system CPU seconds the serving process used in it (/proc), a figure the machine's other load barely moves. Medians of ${ROUNDS} rounds; ${SEQUENTIAL_REQUESTS} sequential requests and ${CONCURRENT_SECONDS} s at ${CONNECTIONS} connections per round.`,
    '',
    ...(() => {
      const timing = (runs) => ({ ttft: median(runs.map((t) => t.ttft)), total: median(runs.map((t) => t.total)) });
      const d = timing(directStreamTimes);
      const f = timing(floorStreamTimes);
      const w = timing(gatewayStreamTimes);
      // What each event after the first adds over reading the upstream directly.
      const perEvent = (t) => (t.total - t.ttft - (d.total - d.ttft)) / (STREAM_EVENTS - 1);
      const rate = (runs) => median(runs).toFixed(0);
      const row = (name, t, runs, added) =>
        `| ${name} | ${rate(runs)} | ${t.ttft.toFixed(0)} µs | ${added ? `+${(t.ttft - d.ttft).toFixed(0)} µs` : '-'} | ${t.total.toFixed(0)} µs | ${added ? `${perEvent(t).toFixed(1)} µs` : '-'} |`;
      return [
        `Streaming (${STREAM_EVENTS} SSE events per answer; streams/s at ${CONNECTIONS} connections for ${STREAM_SECONDS} s per round; time to first byte and to the whole answer one stream at a time, ${STREAM_SEQUENTIAL} per round, p50):`,
        '',
        '| path | streams/s | time to first token | added | whole answer | added per event after the first |',
        '| --- | --- | --- | --- | --- | --- |',
        row('upstream directly', d, directStreams, false),
        row('floor: minimal proxy forwarding the stream', f, floorStreams, true),
        row("through switchyard (passthrough: the upstream's chunks forwarded)", w, gatewayStreams, true),
        '',
        `Switchyard vs the floor on streams: ${(median(gatewayStreams) / median(floorStreams)).toFixed(2)}x the streams/s, +${(w.ttft - f.ttft).toFixed(0)} µs to the first token. This upstream writes every event at once, so they arrive and leave in few batches; the per-chunk cost of work on each event, with guardrails on, is measured in "Guardrails on streams". Gateway peak RSS after the streaming passes ${streamingRss.toFixed(0)} MB.`,
      ];
    })(),
    `Gateway run as the Helm chart runs it: ${
      Object.entries(chartGatewayEnv(repoRoot))
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || 'no tuning'
    }, log level info (one access-log line per request, written to a file).`,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; client, gateway and upstream share the cores.`,
  ];
  const table = lines.join('\n');
  console.log(table);
  const targets = [
    ['added p50 < 200 µs', added.p50 < 200],
    ['> 5,000 req/s at 32 connections', g.rps > 5000],
    ['peak RSS < 150 MB', rss < 150],
  ];
  console.log(`\n${targets.map(([name, ok]) => `${ok ? 'PASS' : 'MISS'} ${name}`).join('\n')}`);
  const docPath = join(repoRoot, 'docs', 'benchmarks.md');
  const generated = `Generated by \`make bench\` (bench/run-bench.mjs) on ${new Date().toISOString().slice(0, 10)}: non-streaming chat completions, the gateway (openai provider) in front of a local OpenAI-shaped upstream versus calling that upstream directly, all on loopback.\n\n${table}\n\nTargets (issue 2): added p50 under 200 µs, over 5,000 req/s at 32 connections, RSS under 150 MB.\n\n${targets.map(([name, ok]) => `- ${ok ? 'met' : 'missed'}: ${name}`).join('\n')}`;
  // Only the generated block is replaced: the analysis written around it stays.
  writeGeneratedBlock(docPath, GENERATED_START, GENERATED_END, generated);
}

const GENERATED_START = '<!-- make bench: generated from here -->';
const GENERATED_END = '<!-- make bench: generated to here -->';

await main();
