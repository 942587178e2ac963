// Standalone mode at scale: 20,000 VirtualKeys (with their Secrets) and 2,000 ModelRoutes in 40
// files on disk. Measures the gateway process's start-up (spawn to listening, the whole
// configuration read, validated and compiled) and, for a change to one file (a new key added to
// one namespace's keys file), the time from the write to the first request the new key is
// served with (polled every 20 ms through the public port). Medians of the rounds. Beside the
// wall-clock times it reports the gateway process's CPU time for each (user + system, from
// /proc/<pid>/stat), which a machine shared with other work disturbs much less.
//
//   node bench/standalone-reload.mjs [--keys 20000] [--routes 2000] [--rounds 5] [--json] [--root <dir>]
//
// --root runs the gateway of another checkout (bin/switchyard.mjs under it), for example a copy
// of an older build, so two builds can be measured in alternating rounds on the same files.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './bench-support.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAMESPACES = 20;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const KEYS = option('keys', 20_000);
const ROUTES = option('routes', 2_000);
const ROUNDS = option('rounds', 5);
const JSON_OUTPUT = process.argv.includes('--json');
const rootAt = process.argv.indexOf('--root');
const gatewayRoot = rootAt === -1 ? repoRoot : (process.argv[rootAt + 1] ?? repoRoot);

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process so far, in ms; undefined where /proc is not there. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

const keyYaml = (namespace, name) => `---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  secretName: ${name}
  allowedModels: ["model-*"]
  rateLimit: {requestsPerMinute: 6000}
---
apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: ${namespace}}
stringData: {key: "sk-sy-${namespace}-${name}-0123456789abcdef"}
`;

function writeConfiguration(dir) {
  for (let n = 0; n < NAMESPACES; n++) {
    const namespace = `team-${n}`;
    let routes = '';
    for (let r = 0; r < ROUTES / NAMESPACES; r++) {
      routes += `---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: route-${r}, namespace: ${namespace}}
spec:
  model: model-${r}
  backends:
  - {name: a, provider: mock, model: echo}
  - {name: b, provider: mock, model: echo2, weight: 2}
`;
    }
    writeFileSync(join(dir, `${namespace}-routes.yaml`), routes);
    let keys = '';
    for (let k = 0; k < KEYS / NAMESPACES; k++) keys += keyYaml(namespace, `key-${k}`);
    writeFileSync(join(dir, `${namespace}-keys.yaml`), keys);
  }
}

/** Spawns the gateway; resolves at its `listening` line with the port and the time it took. */
function startGateway(dir) {
  const logFile = join(dir, '..', `gateway-${Date.now()}.log`);
  const fd = openSync(logFile, 'w');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(gatewayRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', dir, '--port', '0', '--admin-port', '0'],
    {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, SWITCHYARD_LOG_LEVEL: 'info' },
    },
  );
  closeSync(fd);
  return new Promise((resolve, reject) => {
    const poll = () => {
      for (const line of readFileSync(logFile, 'utf8').split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const record = JSON.parse(line);
          if (record.msg === 'listening')
            return resolve({ child, port: record.port, startupMs: performance.now() - started, startupCpuMs: cpuMs(child.pid) });
        } catch {
          // a partial line
        }
      }
      if (child.exitCode !== null) return reject(new Error(`gateway exited: ${readFileSync(logFile, 'utf8').slice(-2000)}`));
      if (performance.now() - started > 120_000) return reject(new Error('gateway did not start within 120 s'));
      setTimeout(poll, 20);
    };
    poll();
  });
}

async function served(port, key) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'model-1', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.arrayBuffer();
  return res.status === 200;
}

const root = mkdtempSync(join(tmpdir(), 'switchyard-standalone-reload-'));
const dir = join(root, 'config');
mkdirSync(dir);
writeConfiguration(dir);
const startups = [];
const reloads = [];
const startupCpus = [];
const reloadCpus = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const gateway = await startGateway(dir);
    startups.push(gateway.startupMs);
    startupCpus.push(gateway.startupCpuMs);
    if (!(await served(gateway.port, 'sk-sy-team-0-key-0-0123456789abcdef'))) throw new Error('an existing key is not served');
    const name = `added-${round}`;
    const key = `sk-sy-team-7-${name}-0123456789abcdef`;
    const cpuBefore = cpuMs(gateway.child.pid);
    const written = performance.now();
    appendFileSync(join(dir, 'team-7-keys.yaml'), keyYaml('team-7', name));
    for (;;) {
      if (await served(gateway.port, key)) break;
      if (performance.now() - written > 60_000) throw new Error('the new key was not served within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    reloads.push(performance.now() - written);
    const cpuAfter = cpuMs(gateway.child.pid);
    reloadCpus.push(cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore);
    gateway.child.kill('SIGTERM');
    await new Promise((resolve) => gateway.child.once('exit', resolve));
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
const result = {
  keys: KEYS,
  routes: ROUTES,
  files: NAMESPACES * 2,
  rounds: ROUNDS,
  startupMedianMs: Math.round(median(startups)),
  oneFileChangeServedMedianMs: Math.round(median(reloads)),
  startupMs: startups.map(Math.round),
  oneFileChangeServedMs: reloads.map(Math.round),
  ...(startupCpus.every((ms) => ms !== undefined) && reloadCpus.every((ms) => ms !== undefined)
    ? {
        startupCpuMedianMs: Math.round(median(startupCpus)),
        oneFileChangeCpuMedianMs: Math.round(median(reloadCpus)),
        startupCpuMs: startupCpus.map(Math.round),
        oneFileChangeCpuMs: reloadCpus.map(Math.round),
      }
    : {}),
};
if (JSON_OUTPUT) console.log(JSON.stringify(result));
else
  console.log(
    `standalone, ${KEYS} keys and ${ROUTES} routes in ${NAMESPACES * 2} files: start-up median ${result.startupMedianMs} ms, one-file change served median ${result.oneFileChangeServedMedianMs} ms (rounds: ${result.startupMs.join(', ')} / ${result.oneFileChangeServedMs.join(', ')})` +
      (result.startupCpuMedianMs === undefined
        ? ''
        : `; gateway CPU: start-up median ${result.startupCpuMedianMs} ms, one-file change median ${result.oneFileChangeCpuMedianMs} ms`),
  );
