// `make soak`: mixed traffic against one standalone gateway for SOAK_MINUTES, sampling its memory
// and event-loop delay, then judging the run. Not part of `make test` (it takes half an hour).
//
// Traffic, at SOAK_RPS requests per second over 16 connections, drawn with a seeded generator:
//   40% chat with a fresh prompt               200
//   20% streamed chat                          200, a complete stream ending in [DONE]
//   15% a repeated prompt on a cached route    200 (after the first: a cache hit)
//   10% chat with tools                        200
//   10% a route whose first backend is down    200 (retry / fall back to the second)
//    3% a key whose Block budget is spent      429 budget_exceeded
//    2% a malformed body                       400
// A request "fails" when its status or body is not the one its kind expects.
//
// Pass criteria (each printed with its measurement):
//   - memory flat after warm-up: the least-squares slope of the gateway's RSS over the samples
//     after the first fifth of the run (at least a minute) is under SOAK_MAX_RSS_SLOPE_MB_PER_HOUR
//     (default 20 MB/h);
//   - event-loop delay: the largest per-window p99 (prom-client's histogram, reset on every scrape
//     of /metrics, sampled every 10 s) is under SOAK_MAX_LOOP_P99_MS (default 50 ms);
//   - zero failed requests.
//
// Env: SOAK_MINUTES (default 30), SOAK_RPS (default 150), SOAK_SEED (default 7).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { benchKeyYaml, benchRouteYaml, chartGatewayEnv, startProcess, stopProcess, VIRTUAL_KEY } from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const RPS = Number(process.env.SOAK_RPS ?? 150);
const MAX_SLOPE_MB_PER_HOUR = Number(process.env.SOAK_MAX_RSS_SLOPE_MB_PER_HOUR ?? 20);
const MAX_LOOP_P99_MS = Number(process.env.SOAK_MAX_LOOP_P99_MS ?? 50);
const SAMPLE_MS = 10_000;
const BROKE_KEY = 'sk-sy-soakbroke0000000000000000000000000';

/** mulberry32: a small seeded generator, so two runs send the same mix. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function soakConfig(upstreamUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-soak-'));
  const pricing = { inputPerMillion: '1.00', outputPerMillion: '2.00' };
  writeFileSync(join(dir, 'bench.yaml'), `${benchRouteYaml(upstreamUrl, { pricing })}---\n${benchKeyYaml('soak', VIRTUAL_KEY)}`);
  writeFileSync(
    join(dir, 'soak.yaml'),
    `apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: soak-cached}
spec:
  model: soak-cached
  cache: {ttl: 1h}
  backends:
  - {name: up, provider: openai, model: m, baseURL: ${upstreamUrl}/v1, credentials: [{secretRef: {name: bench-upstream, key: apiKey}}], pricing: {inputPerMillion: "1.00", outputPerMillion: "2.00"}}
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: soak-fallback}
spec:
  model: soak-fallback
  retry: {attempts: 2, backoff: {initial: 1ms, max: 2ms}}
  outlierDetection: {consecutiveFailures: 1000, ejectionTime: 1s}
  backends:
  - {name: down, provider: openai, model: m, baseURL: "http://127.0.0.1:1/v1", credentials: [{secretRef: {name: bench-upstream, key: apiKey}}], pricing: {inputPerMillion: "1.00", outputPerMillion: "2.00"}, priority: 0}
  - {name: up, provider: openai, model: m, baseURL: ${upstreamUrl}/v1, credentials: [{secretRef: {name: bench-upstream, key: apiKey}}], pricing: {inputPerMillion: "1.00", outputPerMillion: "2.00"}, priority: 1}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: soak-broke, labels: {soak: broke}}
spec: {secretName: soak-broke-key}
---
apiVersion: v1
kind: Secret
metadata: {name: soak-broke-key}
stringData: {key: ${BROKE_KEY}}
---
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: soak-broke}
spec: {selector: {matchLabels: {soak: broke}}, limit: "0.000000001", period: Total, enforcement: Block}
`,
  );
  return dir;
}

const chat = (model, content, extra = {}) => JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: 16, ...extra });
const TOOLS = [
  {
    type: 'function',
    function: { name: 'lookup', description: 'Look a word up.', parameters: { type: 'object', properties: { word: { type: 'string' } } } },
  },
];

/** The request kinds, their share of the traffic, and what each must get back. */
const KINDS = [
  { name: 'chat', share: 0.4, body: (i) => chat('bench-model', `fresh prompt ${i}`), expect: okJson },
  { name: 'stream', share: 0.2, body: (i) => chat('bench-model', `stream ${i}`, { stream: true }), expect: okStream },
  { name: 'cached', share: 0.15, body: (i) => chat('soak-cached', `repeated prompt ${i % 20}`), expect: okJson },
  { name: 'tools', share: 0.1, body: (i) => chat('bench-model', `tools ${i}`, { tools: TOOLS }), expect: okJson },
  { name: 'fallback', share: 0.1, body: (i) => chat('soak-fallback', `fallback ${i}`), expect: okJson },
  { name: 'budget', share: 0.03, key: BROKE_KEY, body: (i) => chat('bench-model', `broke ${i}`), expect: refused(429, 'budget_exceeded') },
  { name: 'malformed', share: 0.02, body: () => '{"model": "bench-model", "messages": [', expect: refused(400, undefined) },
];

function okJson(status, text) {
  return status === 200 && JSON.parse(text).choices?.[0]?.message !== undefined;
}
function okStream(status, text) {
  return status === 200 && text.includes('data: [DONE]') && !text.includes('"error"');
}
function refused(expectedStatus, code) {
  return (status, text) => status === expectedStatus && (code === undefined || text.includes(code));
}

function pick(random) {
  let at = random();
  for (const kind of KINDS) {
    if (at < kind.share) return kind;
    at -= kind.share;
  }
  return KINDS[0];
}

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Event-loop delay p99 of the last window (the histogram resets on every scrape) and V8 heap used. */
async function scrape(adminOrigin) {
  const text = await (await fetch(`${adminOrigin}/metrics`)).text();
  const metric = (name) => {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : Number.NaN;
  };
  return {
    loopP99Ms: metric('switchyard_process_nodejs_eventloop_lag_p99_seconds') * 1000,
    heapUsedMb: metric('switchyard_process_nodejs_heap_size_used_bytes') / 1024 / 1024,
  };
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
}

async function main() {
  const upstream = await startProcess([join(here, 'mock-openai-upstream.mjs')], (m) => typeof m.port === 'number');
  const configDir = soakConfig(`http://127.0.0.1:${upstream.info.port}`);
  const gateway = await startProcess(
    [join(repoRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', configDir, '--port', '0', '--admin-port', '0'],
    (m) => m.msg === 'listening',
    // As the chart runs it (semi-space size, malloc arenas): RSS without them measures V8's and
    // glibc's appetite on a 24 GiB host, not the gateway.
    { ...chartGatewayEnv(repoRoot), SWITCHYARD_LOG_LEVEL: 'warn' },
  );
  const origin = `http://127.0.0.1:${gateway.info.port}`;
  const adminOrigin = `http://127.0.0.1:${gateway.info.adminPort}`;
  const pool = new Pool(origin, { connections: 16, pipelining: 1 });
  const random = seeded(Number(process.env.SOAK_SEED ?? 7));
  const counts = new Map(KINDS.map((kind) => [kind.name, { sent: 0, failed: 0 }]));
  const failures = [];
  const samples = [];
  const startedAt = Date.now();
  const endAt = startedAt + MINUTES * 60_000;
  let issued = 0;
  const inFlight = new Set();

  const send = async (kind, i) => {
    const count = counts.get(kind.name);
    count.sent += 1;
    try {
      const response = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${kind.key ?? VIRTUAL_KEY}` },
        body: kind.body(i),
      });
      const text = await response.body.text();
      let ok = false;
      try {
        ok = kind.expect(response.statusCode, text);
      } catch {
        ok = false;
      }
      if (!ok) {
        count.failed += 1;
        if (failures.length < 10) failures.push(`${kind.name}: ${response.statusCode} ${text.slice(0, 200)}`);
      }
    } catch (error) {
      count.failed += 1;
      if (failures.length < 10) failures.push(`${kind.name}: ${error.message}`);
    }
  };

  const sampler = setInterval(async () => {
    const scraped = await scrape(adminOrigin).catch(() => ({ loopP99Ms: Number.NaN, heapUsedMb: Number.NaN }));
    samples.push({ minutes: (Date.now() - startedAt) / 60_000, rssMb: rssMb(gateway.child.pid), ...scraped });
  }, SAMPLE_MS);

  // Open-loop pacing: requests are issued on schedule whatever the answers' latency, so a slow
  // gateway shows up as in-flight growth, not as a quietly lower rate.
  while (Date.now() < endAt) {
    const due = Math.floor(((Date.now() - startedAt) / 1000) * RPS);
    while (issued < due) {
      const promise = send(pick(random), issued++);
      inFlight.add(promise);
      promise.finally(() => inFlight.delete(promise));
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(inFlight);
  clearInterval(sampler);
  await pool.close();
  await stopProcess(gateway.child);
  await stopProcess(upstream.child);

  const warmupMinutes = Math.max(1, MINUTES / 5);
  const steady = samples.filter((s) => s.minutes >= warmupMinutes && Number.isFinite(s.rssMb));
  const slopeMbPerHour = steady.length >= 2 ? slope(steady.map((s) => ({ x: s.minutes / 60, y: s.rssMb }))) : Number.NaN;
  const loopP99 = Math.max(...samples.map((s) => s.loopP99Ms).filter(Number.isFinite));
  const failed = [...counts.values()].reduce((sum, c) => sum + c.failed, 0);
  const sent = [...counts.values()].reduce((sum, c) => sum + c.sent, 0);
  const rss = steady.map((s) => s.rssMb);
  const heap = steady.map((s) => s.heapUsedMb).filter(Number.isFinite);
  const heapSlope =
    heap.length >= 2
      ? slope(steady.filter((s) => Number.isFinite(s.heapUsedMb)).map((s) => ({ x: s.minutes / 60, y: s.heapUsedMb })))
      : Number.NaN;
  const samplesFile = join(mkdtempSync(join(tmpdir(), 'switchyard-soak-samples-')), 'samples.json');
  writeFileSync(samplesFile, JSON.stringify(samples));
  const checks = [
    [
      `RSS slope after ${warmupMinutes.toFixed(1)} min warm-up: ${slopeMbPerHour.toFixed(1)} MB/h (bound ${MAX_SLOPE_MB_PER_HOUR})`,
      slopeMbPerHour < MAX_SLOPE_MB_PER_HOUR,
    ],
    [`worst 10 s window p99 event-loop delay: ${loopP99.toFixed(1)} ms (bound ${MAX_LOOP_P99_MS})`, loopP99 < MAX_LOOP_P99_MS],
    [`failed requests: ${failed} of ${sent}`, failed === 0],
  ];
  console.log(`soak: ${MINUTES} min at ${RPS} req/s, ${sent} requests, ${samples.length} samples`);
  console.log('| kind | sent | failed |\n| --- | --- | --- |');
  for (const [name, count] of counts) console.log(`| ${name} | ${count.sent} | ${count.failed} |`);
  if (rss.length > 0) console.log(`RSS after warm-up: ${Math.min(...rss).toFixed(0)}-${Math.max(...rss).toFixed(0)} MB`);
  if (heap.length > 0) {
    console.log(
      `V8 heap used after warm-up: ${Math.min(...heap).toFixed(0)}-${Math.max(...heap).toFixed(0)} MB, slope ${heapSlope.toFixed(1)} MB/h`,
    );
  }
  console.log(`samples (minutes, RSS, heap used, loop p99): ${samplesFile}`);
  for (const [line, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'} ${line}`);
  for (const failure of failures) console.log(`  failure: ${failure}`);
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
}

await main();
