// `make bench-peers`: Switchyard beside two peer gateways, Portkey's gateway (npm) and the LiteLLM
// proxy (PyPI), in the same rounds, against the same local OpenAI-shaped upstream, with the same
// client and request as `make bench`. The peers are installed on demand under the cache folder
// (SWITCHYARD_PEERS_DIR, default ~/.cache/switchyard/peers) at pinned versions, each configured
// the way its documentation describes for an OpenAI-compatible upstream with no extras (no
// cache, no logging callbacks, no database). Writes its table into docs/benchmarks.md.
//
// Bifrost is not measured: its Go modules are not all served by the registries this machine
// reaches, so it cannot be built here (docs/benchmarks.md cites its published figures instead).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  benchKeyYaml,
  benchRouteYaml,
  chartGatewayEnv,
  CONNECTIONS,
  measureRound,
  median,
  startProcess,
  stopProcess,
  VIRTUAL_KEY,
  writeGeneratedBlock,
} from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const PEERS_DIR = process.env.SWITCHYARD_PEERS_DIR ?? join(homedir(), '.cache', 'switchyard', 'peers');
const PORTKEY_VERSION = '1.15.2';
const LITELLM_VERSION = process.env.BENCH_LITELLM_VERSION ?? '1.108.7';
const SEQUENTIAL_REQUESTS = Number(process.env.BENCH_SEQUENTIAL ?? 2000);
const CONCURRENT_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** How long a peer may take to answer its first request after start (LiteLLM imports a lot). */
const PEER_START_TIMEOUT_MS = 180_000;
/** LiteLLM's master key, which its proxy requires; a bench-only value. */
const LITELLM_MASTER_KEY = 'sk-litellm-bench-0123456789abcdef';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

/** Portkey's gateway at PORTKEY_VERSION, installed with npm into its own folder once. */
function ensurePortkey() {
  const dir = join(PEERS_DIR, `portkey-${PORTKEY_VERSION}`);
  const entry = join(dir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (!existsSync(entry)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"private": true}\n');
    const npm = join(dirname(process.execPath), 'npm');
    run(existsSync(npm) ? npm : 'npm', ['install', '--no-audit', '--no-fund', `@portkey-ai/gateway@${PORTKEY_VERSION}`], { cwd: dir });
  }
  return entry;
}

/** The LiteLLM proxy at LITELLM_VERSION, in a virtual environment of its own, installed once. */
function ensureLitellm() {
  const venv = join(PEERS_DIR, `litellm-${LITELLM_VERSION}`);
  const bin = join(venv, 'bin', 'litellm');
  if (!existsSync(bin)) {
    mkdirSync(PEERS_DIR, { recursive: true });
    run('python3', ['-m', 'venv', venv]);
    run(join(venv, 'bin', 'pip'), ['install', '--quiet', `litellm[proxy]==${LITELLM_VERSION}`]);
  }
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a peer (any program), output to a file, and waits until `probe` answers. */
async function startPeer(name, command, args, probe, env = {}) {
  const logFile = join(mkdtempSync(join(tmpdir(), `switchyard-bench-${name}-`)), 'out.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    try {
      if (await probe()) return { child, logFile };
    } catch {
      // not listening yet
    }
    if (Date.now() - started > PEER_START_TIMEOUT_MS) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer within ${PEER_START_TIMEOUT_MS} ms: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function answers(url, headers) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'ready?' }], max_tokens: 4 }),
    signal: AbortSignal.timeout(5_000),
  });
  await response.arrayBuffer();
  return response.status === 200;
}

function version(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').pop() ?? 'unknown';
}

async function main() {
  const portkeyEntry = ensurePortkey();
  const litellmBin = ensureLitellm();

  const upstream = await startProcess([join(here, 'mock-openai-upstream.mjs')], (m) => typeof m.port === 'number');
  const upstreamUrl = `http://127.0.0.1:${upstream.info.port}`;
  const configDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  writeFileSync(join(configDir, 'bench.yaml'), `${benchRouteYaml(upstreamUrl)}---\n${benchKeyYaml('bench', VIRTUAL_KEY)}`);
  const gateway = await startProcess(
    [join(repoRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', configDir, '--port', '0', '--admin-port', '0'],
    (m) => m.msg === 'listening',
    { ...chartGatewayEnv(repoRoot), SWITCHYARD_LOG_LEVEL: 'info' },
  );

  // Portkey: the OpenAI provider pointed at the upstream by the x-portkey-custom-host header.
  const portkeyPort = await freePort();
  const portkeyUrl = `http://127.0.0.1:${portkeyPort}/v1/chat/completions`;
  const portkeyHeaders = { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstreamUrl}/v1` };
  const portkey = await startPeer('portkey', process.execPath, [portkeyEntry, `--port=${portkeyPort}`, '--headless'], () =>
    answers(portkeyUrl, { authorization: 'Bearer sk-upstream-bench-not-a-real-key', ...portkeyHeaders }),
  );

  // LiteLLM: one model entry on the upstream, one worker, a master key (it refuses to start without
  // one, and Switchyard checks a key too), no database or callbacks.
  const litellmPort = await freePort();
  const litellmConfig = join(configDir, 'litellm.yaml');
  writeFileSync(
    litellmConfig,
    `model_list:\n  - model_name: bench-model\n    litellm_params:\n      model: openai/bench-upstream-model\n      api_base: ${upstreamUrl}/v1\n      api_key: sk-upstream-bench-not-a-real-key\n`,
  );
  const litellmUrl = `http://127.0.0.1:${litellmPort}/v1/chat/completions`;
  const litellm = await startPeer(
    'litellm',
    litellmBin,
    ['--config', litellmConfig, '--host', '127.0.0.1', '--port', String(litellmPort), '--num_workers', '1'],
    () => answers(litellmUrl, { authorization: `Bearer ${LITELLM_MASTER_KEY}` }),
    { LITELLM_LOG: 'ERROR', LITELLM_MASTER_KEY },
  );

  const targets = [
    { name: 'upstream directly', url: `${upstreamUrl}/v1/chat/completions`, key: VIRTUAL_KEY, headers: {} },
    {
      name: `Switchyard (this checkout)`,
      url: `http://127.0.0.1:${gateway.info.port}/v1/chat/completions`,
      key: VIRTUAL_KEY,
      headers: {},
      pid: gateway.child.pid,
    },
    {
      name: `Portkey gateway ${PORTKEY_VERSION}`,
      url: portkeyUrl,
      key: 'sk-upstream-bench-not-a-real-key',
      headers: portkeyHeaders,
      pid: portkey.child.pid,
    },
    { name: `LiteLLM proxy ${LITELLM_VERSION}`, url: litellmUrl, key: LITELLM_MASTER_KEY, headers: {}, pid: litellm.child.pid },
  ];
  const runs = new Map(targets.map((target) => [target.name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        runs.get(target.name).push(
          await measureRound(target.url, {
            sequential: SEQUENTIAL_REQUESTS,
            seconds: CONCURRENT_SECONDS,
            key: target.key,
            headers: target.headers,
            pid: target.pid,
          }),
        );
      }
    }
  } finally {
    for (const started of [gateway, upstream, portkey, litellm]) await stopProcess(started.child);
  }

  const rows = targets.map((target) => {
    const measured = runs.get(target.name);
    return {
      name: target.name,
      p50: median(measured.map((r) => r.p50us)),
      p99: median(measured.map((r) => r.p99us)),
      rps: median(measured.map((r) => r.rps)),
      perCpu: target.pid === undefined ? undefined : median(measured.map((r) => r.requestsPerCpuSecond ?? 0)),
    };
  });
  const direct = rows[0];
  const switchyard = rows[1];
  const lines = [
    `| path | p50 (sequential) | p99 (sequential) | added p50 | req/s at ${CONNECTIONS} connections | throughput vs Switchyard | requests per CPU-second |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row, i) =>
        `| ${row.name} | ${row.p50.toFixed(0)} µs | ${row.p99.toFixed(0)} µs | ${i === 0 ? '-' : `${(row.p50 - direct.p50).toFixed(0)} µs`} | ${row.rps.toFixed(0)} | ${i === 0 ? '-' : `${(row.rps / switchyard.rps).toFixed(2)}x`} | ${row.perCpu === undefined ? '-' : row.perCpu.toFixed(0)} |`,
    ),
  ];
  const python = version('python3', ['--version']);
  const body = [
    `Generated by \`make bench-peers\` (bench/peers.mjs) on ${new Date().toISOString().slice(0, 10)}: the same non-streaming chat completion as \`make bench\`, through each gateway to the same local OpenAI-shaped upstream, all on loopback, in the same rounds (medians of ${ROUNDS}; ${SEQUENTIAL_REQUESTS} sequential requests and ${CONCURRENT_SECONDS} s at ${CONNECTIONS} connections per round and gateway).`,
    '',
    lines.join('\n'),
    '',
    `Settings: Switchyard as the Helm chart runs it (info logging, metrics on, tracing off). Portkey gateway ${PORTKEY_VERSION} from npm (\`start-server.js --headless\`, provider \`openai\` with \`x-portkey-custom-host\`). LiteLLM proxy ${LITELLM_VERSION} from PyPI (\`litellm[proxy]\`, ${python}, one worker, one \`openai/\` model entry with \`api_base\`, a master key as the bearer, no database, cache or callbacks, \`LITELLM_LOG=ERROR\`). Bifrost is not measured: it cannot be built on this machine (docs/benchmarks.md, "Peers").`,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; client, gateways and upstream share the cores.`,
  ].join('\n');
  console.log(body);
  writeGeneratedBlock(join(repoRoot, 'docs', 'benchmarks.md'), GENERATED_START, GENERATED_END, body);
}

const GENERATED_START = '<!-- make bench-peers: generated from here -->';
const GENERATED_END = '<!-- make bench-peers: generated to here -->';

await main();
