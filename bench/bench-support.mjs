// What the benchmark scripts share: starting a process and waiting for its ready line, stopping
// it, the standalone manifests of the bench route (one openai backend on the mock upstream)
// with its virtual key, the bench request and its sequential latency pass.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { parse as parseYaml } from 'yaml';

export const VIRTUAL_KEY = 'sk-sy-bench000000000000000000000000000000';

export const BENCH_REQUEST_BODY = JSON.stringify({
  model: 'bench-model',
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
  max_tokens: 16,
});

/** The value below which a fraction `p` of the ascending `sorted` samples lie. */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/**
 * p50 and p99 in microseconds of `count` sequential bench requests over one keep-alive
 * connection, timed with hrtime: autocannon's histogram has 1 ms resolution, too coarse for
 * microsecond overheads.
 */
export async function sequentialLatencies(url, key, count, extraHeaders = {}) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 1, pipelining: 1 });
  const samples = [];
  try {
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      const response = await pool.request({
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...extraHeaders },
        body: BENCH_REQUEST_BODY,
      });
      await response.body.arrayBuffer();
      samples.push(Number(process.hrtime.bigint() - start) / 1000);
      if (response.statusCode !== 200) throw new Error(`${url}: status ${response.statusCode}`);
    }
  } finally {
    await pool.close();
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

/**
 * Starts `node <args>` and resolves with its first JSON stdout line that `ready` accepts.
 * Output goes to a file, not a pipe: writes to a pipe are synchronous in Node, and a pipe read by
 * a busy load generator would make the measured process's log writes wait on it.
 */
export function startProcess(args, ready, env = {}) {
  const logFile = join(mkdtempSync(join(tmpdir(), 'switchyard-bench-out-')), 'stdout.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const onExit = (code) => reject(new Error(`process exited ${code}: ${readFileSync(logFile, 'utf8')}`));
    child.once('exit', onExit);
    const poll = () => {
      const text = readFileSync(logFile, 'utf8');
      for (const line of text.split('\n')) {
        if (!line.trim().startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line);
          if (ready(parsed)) {
            child.off('exit', onExit);
            resolve({ child, info: parsed, logFile });
            return;
          }
        } catch {
          /* partial line */
        }
      }
      if (Date.now() - started > 20_000) reject(new Error(`timed out starting ${args.join(' ')}: ${text}`));
      else setTimeout(poll, 50);
    };
    poll();
  });
}

export function stopProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The bench ModelRoute (model `bench-model`) on `upstreamUrl`, and its upstream Secret. */
export function benchRouteYaml(upstreamUrl, { pricing } = {}) {
  return `apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: bench-model}
spec:
  model: bench-model
  backends:
  - name: bench-upstream
    provider: openai
    model: bench-upstream-model
    baseURL: ${upstreamUrl}/v1
    credentials: [{secretRef: {name: bench-upstream, key: apiKey}}]${pricing === undefined ? '' : `\n    pricing: {inputPerMillion: "${pricing.inputPerMillion}", outputPerMillion: "${pricing.outputPerMillion}"}`}
---
apiVersion: v1
kind: Secret
metadata: {name: bench-upstream}
stringData: {apiKey: sk-upstream-bench-not-a-real-key}
`;
}

/** A VirtualKey without limits named `name`, whose Secret `<name>-key` holds `key`. */
export function benchKeyYaml(name, key) {
  return `apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: ${name}}
spec: {secretName: ${name}-key}
---
apiVersion: v1
kind: Secret
metadata: {name: ${name}-key}
stringData: {key: ${key}}
`;
}

/**
 * The environment the Helm chart gives the gateway: the same NODE_OPTIONS and MALLOC_ARENA_MAX,
 * read from the chart's values so benchmarks and the chart cannot drift apart.
 */
export function chartGatewayEnv(repoRoot) {
  const values = parseYaml(readFileSync(join(repoRoot, 'charts', 'switchyard', 'values.yaml'), 'utf8'));
  const env = {};
  if (values.gateway.nodeOptions) env.NODE_OPTIONS = values.gateway.nodeOptions;
  if (values.gateway.mallocArenaMax) env.MALLOC_ARENA_MAX = String(values.gateway.mallocArenaMax);
  return env;
}

/** Concurrent connections of the throughput pass. */
export const CONNECTIONS = 32;

/** One autocannon run of the bench request (or `options.body`) against `url`. */
export function loadTest(url, options, key = VIRTUAL_KEY, extraHeaders = {}) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...extraHeaders },
        body: BENCH_REQUEST_BODY,
        ...options,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/**
 * One round on `url`: a warm-up, `sequential` requests one at a time (p50/p99 in µs) and
 * `seconds` at CONNECTIONS connections (mean req/s); any failed request fails the round.
 */
export async function measureRound(url, { sequential, seconds, key = VIRTUAL_KEY, headers = {}, pid }) {
  await loadTest(url, { connections: 8, duration: 2 }, key, headers); // warm up JIT and pools
  const latencies = await sequentialLatencies(url, key, sequential, headers);
  const cpuBefore = pid === undefined ? undefined : processTreeCpuSeconds(pid);
  const concurrent = await loadTest(url, { connections: CONNECTIONS, duration: seconds }, key, headers);
  const errors = concurrent.errors + concurrent.non2xx;
  if (errors > 0) throw new Error(`${url}: ${errors} failed requests`);
  const cpuSeconds = cpuBefore === undefined ? undefined : processTreeCpuSeconds(pid) - cpuBefore;
  return {
    p50us: latencies.p50,
    p99us: latencies.p99,
    rps: concurrent.requests.average,
    // Requests served per second of CPU the serving process (and its children) used in the
    // throughput pass: what decides pod count and cost, independent of how busy the machine was.
    requestsPerCpuSecond: cpuSeconds === undefined || cpuSeconds <= 0 ? undefined : concurrent.requests.total / cpuSeconds,
  };
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * User plus system CPU seconds of `pid`, its reaped children, and its live descendants (a Python
 * proxy may run its server in a child process), read from /proc.
 */
export function processTreeCpuSeconds(pid) {
  let ticks = 0;
  const visit = (id) => {
    let stat;
    try {
      stat = readFileSync(`/proc/${id}/stat`, 'utf8');
    } catch {
      return; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces): state is field 3, utime 14 ... cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${id}/task`);
    } catch {
      return;
    }
    for (const task of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${id}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.trim().split(/\s+/).filter(Boolean)) visit(child);
    }
  };
  visit(pid);
  return ticks / CLOCK_TICKS;
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Replaces the block between `start` and `end` in docs/benchmarks.md (or appends it): the prose around it stays. */
export function writeGeneratedBlock(docPath, start, end, body) {
  let doc;
  try {
    doc = readFileSync(docPath, 'utf8');
  } catch {
    doc = '# Benchmarks\n';
  }
  const block = `${start}\n${body}\n${end}`;
  const startAt = doc.indexOf(start);
  const endAt = doc.indexOf(end);
  if (startAt >= 0 && endAt > startAt) doc = doc.slice(0, startAt) + block + doc.slice(endAt + end.length);
  else doc = `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(docPath, doc);
}
