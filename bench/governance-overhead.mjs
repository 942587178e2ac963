// Admission overhead of governance (rate limits + budget reservation + settlement), two ways:
//  1. in process: GovernanceAdmission.admit() + settle() per request, against a key with no
//     limits or budgets (the "off" fast path), in-process counters, and Redis counters;
//  2. end to end: sequential request latency through the real gateway in front of a local
//     OpenAI-shaped upstream, for a key without governance, with in-process governance, and
//     with Redis-shared governance; the difference is what governance adds per request.
// Usage: npm run build && node bench/governance-overhead.mjs   (BENCH_SEQUENTIAL, BENCH_ROUNDS)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchRouteYaml, percentile, sequentialLatencies, startProcess } from './bench-support.mjs';
import { compileStandaloneFiles } from '@switchyard/compiler';
import { Registry } from 'prom-client';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const dist = (path) => join(repoRoot, 'gateway', 'dist', 'src', path);
const { createProviderRegistry } = await import(dist('providers/registry.js'));
const { BudgetDirectory, GovernedTableHolder } = await import(dist('governance/budget/budget-directory.js'));
const { InProcessBudgetLedger } = await import(dist('governance/budget/in-process-budget-ledger.js'));
const { GovernanceAdmission } = await import(dist('governance/governance-admission.js'));
const { GovernanceMetrics } = await import(dist('governance/governance-metrics.js'));
const { InProcessRateLimiter } = await import(dist('governance/rate-limit/in-process-rate-limiter.js'));
const { connectRedis } = await import(dist('redis/redis-connection.js'));
const { RedisBudgetLedger } = await import(dist('governance/redis/redis-budget-ledger.js'));
const { RedisRateLimiter } = await import(dist('governance/redis/redis-rate-limiter.js'));
const { SettlementRetryQueue } = await import(dist('governance/redis/settlement-retry-queue.js'));
const { keyDigest } = await import(dist('pipeline/authenticate.js'));
const { createLogger } = await import(dist('observe/logger.js'));

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MICRO_ITERATIONS = Number(process.env.BENCH_MICRO ?? 200_000);
const KEYS = {
  off: 'sk-sy-benchoff0000000000000000000000000000',
  inProcess: 'sk-sy-benchgoverned00000000000000000000000',
};
// The gateway processes log at warn, as before: one access line per request is not what this measures.
const QUIET = { SWITCHYARD_LOG_LEVEL: 'warn' };
const quiet = createLogger({ write: () => undefined });

const manifests = (upstreamUrl) => `${benchRouteYaml(upstreamUrl, { pricing: { inputPerMillion: '1', outputPerMillion: '2' } })}---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: ungoverned}
spec: {secretName: ungoverned-key}
---
apiVersion: v1
kind: Secret
metadata: {name: ungoverned-key}
stringData: {key: ${KEYS.off}}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: governed, labels: {team: bench, customer: bench}}
spec:
  secretName: governed-key
  rateLimit: {requestsPerMinute: 100000000, tokensPerMinute: 10000000000, concurrentRequests: 10000}
---
apiVersion: v1
kind: Secret
metadata: {name: governed-key}
stringData: {key: ${KEYS.inProcess}}
---
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: team}
spec: {selector: {matchLabels: {team: bench}}, limit: "100000000", period: Monthly, enforcement: Block}
---
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: customer}
spec: {selector: {matchLabels: {customer: bench}}, limit: "100000000", period: Daily, enforcement: Warn}
`;

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((resolve) => child.stdout.on('data', (d) => d.toString().includes('Ready to accept') && resolve()));
  return { url: `redis://127.0.0.1:${port}`, child };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// --- 1. in process ---------------------------------------------------------------------------

async function microBench(redisUrl) {
  const { table } = compileStandaloneFiles([{ path: 'bench.yaml', text: manifests('http://127.0.0.1:9') }], { version: 1 });
  const budgets = new BudgetDirectory();
  const tables = new GovernedTableHolder(createProviderRegistry(), budgets);
  const runtime = tables.load(table);
  const route = runtime.routes.get('default/bench-model');
  const request = {
    model: 'bench-model',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello in five words.' }] }],
    maxOutputTokens: 16,
    stream: false,
  };
  const usage = { inputTokens: 12, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: 0 };
  const clock = { nowMs: () => Date.now() };
  const make = (rateLimiter, ledger) =>
    new GovernanceAdmission({
      rateLimiter,
      ledger,
      budgets,
      clock,
      metrics: new GovernanceMetrics(new Registry()),
      logger: quiet,
      failureMode: 'open',
    });
  const results = {};
  const run = async (name, admission, key, iterations) => {
    const durations = [];
    for (let i = 0; i < iterations; i++) {
      const start = process.hrtime.bigint();
      const admitted = await admission.admit({ key, route, request });
      admitted.settle(usage, { costNanos: 26n });
      durations.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    durations.sort((a, b) => a - b);
    results[name] = {
      p50: percentile(durations, 0.5),
      p99: percentile(durations, 0.99),
      mean: durations.reduce((a, b) => a + b, 0) / durations.length,
    };
  };
  const off = runtime.keysByDigest.get(keyDigest(KEYS.off));
  const governed = runtime.keysByDigest.get(keyDigest(KEYS.inProcess));
  const inProcess = make(new InProcessRateLimiter(), new InProcessBudgetLedger({ logger: quiet }));
  for (let warm = 0; warm < 2; warm++) {
    await run('governance off (key without limits or budgets)', inProcess, off, MICRO_ITERATIONS);
    await run('in-process limits + 2 budgets', inProcess, governed, MICRO_ITERATIONS);
  }
  if (redisUrl !== undefined) {
    const redis = connectRedis({ url: redisUrl, timeoutMs: 1000, logger: quiet, metrics: new GovernanceMetrics(new Registry()) });
    await redis.waitReady(5000);
    const retries = new SettlementRetryQueue(redis, quiet);
    const shared = make(
      new RedisRateLimiter(redis, retries),
      RedisBudgetLedger.create({ redis, retries, logger: quiet, nowMs: () => Date.now() }),
    );
    await run('Redis limits + 2 budgets', shared, governed, 2000);
    await run('Redis limits + 2 budgets', shared, governed, 10_000);
    await redis.close();
  }
  return results;
}

// --- 2. end to end ---------------------------------------------------------------------------

async function endToEnd(redisUrl) {
  const upstream = await startProcess([join(here, 'mock-openai-upstream.mjs')], (m) => typeof m.port === 'number');
  const configDir = mkdtempSync(join(tmpdir(), 'switchyard-governance-bench-'));
  writeFileSync(join(configDir, 'bench.yaml'), manifests(`http://127.0.0.1:${upstream.info.port}`));
  const gatewayArgs = (extra) => [
    join(repoRoot, 'bin', 'switchyard.mjs'),
    'gateway',
    '--config',
    configDir,
    '--port',
    '0',
    '--admin-port',
    '0',
    ...extra,
  ];
  const local = await startProcess(gatewayArgs([]), (m) => m.msg === 'listening', QUIET);
  const shared =
    redisUrl === undefined ? undefined : await startProcess(gatewayArgs(['--redis-url', redisUrl]), (m) => m.msg === 'listening', QUIET);
  const urlOf = (gateway) => `http://127.0.0.1:${gateway.info.port}/v1/chat/completions`;
  const cases = [
    ['governance off (key without limits or budgets)', urlOf(local), KEYS.off],
    ['in-process limits + 2 budgets', urlOf(local), KEYS.inProcess],
    ...(shared === undefined ? [] : [['Redis limits + 2 budgets', urlOf(shared), KEYS.inProcess]]),
  ];
  const runs = Object.fromEntries(cases.map(([name]) => [name, []]));
  try {
    for (const [, url, key] of cases) await sequentialLatencies(url, key, SEQUENTIAL); // warm-up
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, url, key] of cases) runs[name].push(await sequentialLatencies(url, key, SEQUENTIAL));
  } finally {
    local.child.kill('SIGTERM');
    shared?.child.kill('SIGTERM');
    upstream.child.kill('SIGTERM');
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, r]) => [name, { p50: median(r.map((x) => x.p50)), p99: median(r.map((x) => x.p99)) }]),
  );
}

const redis = await startRedis();
try {
  const micro = await microBench(redis?.url);
  const e2e = await endToEnd(redis?.url);
  const offMicro = micro['governance off (key without limits or budgets)'];
  const offE2e = e2e['governance off (key without limits or budgets)'];
  const lines = [
    '### admit() + settle() in process',
    '',
    '| configuration | p50 | p99 | mean | added p50 vs off |',
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(micro).map(
      ([name, r]) =>
        `| ${name} | ${r.p50.toFixed(2)} µs | ${r.p99.toFixed(2)} µs | ${r.mean.toFixed(2)} µs | ${(r.p50 - offMicro.p50).toFixed(2)} µs |`,
    ),
    '',
    '### sequential requests through the gateway',
    '',
    '| configuration | p50 | p99 | added p50 vs off |',
    '| --- | --- | --- | --- |',
    ...Object.entries(e2e).map(
      ([name, r]) => `| ${name} | ${r.p50.toFixed(0)} µs | ${r.p99.toFixed(0)} µs | ${(r.p50 - offE2e.p50).toFixed(0)} µs |`,
    ),
    '',
    `${MICRO_ITERATIONS} in-process admissions per configuration (10 000 with Redis); ${SEQUENTIAL} sequential requests x ${ROUNDS} rounds (medians) end to end. Redis: a local redis-server, no persistence.`,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}.`,
  ];
  console.log(lines.join('\n'));
} finally {
  redis?.child.kill('SIGTERM');
}
