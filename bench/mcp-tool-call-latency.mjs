// The latency a `tools/call` gains by going through the gateway's /mcp endpoint, in one run:
// the official MCP SDK client calls `echo` on @modelcontextprotocol/server-everything directly
// and through a standalone gateway (the same server behind an MCPServer), alternating, one call
// at a time, each over its own warm session. Reports p50 and p99 of both and what the gateway adds.
//
// Env: MCP_BENCH_CALLS (per path, default 1000).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { percentile, startProcess, stopProcess } from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const CALLS = Number(process.env.MCP_BENCH_CALLS ?? 1000);
const KEY = 'sk-sy-benchmcp0000000000000000000000000000';
const ENTRY = fileURLToPath(import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'));

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startEverything(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const read = (chunk) => {
      output += chunk.toString('utf8');
      if (output.includes(`listening on port ${port}`)) resolve(child);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`server-everything exited with ${code}: ${output}`)));
  });
}

async function connect(url, headers = {}) {
  const client = new Client({ name: 'mcp-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

async function timedCall(client, name) {
  const started = performance.now();
  const result = await client.callTool({ name, arguments: { message: 'benchmark' } });
  const elapsed = performance.now() - started;
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return elapsed;
}

async function main() {
  const port = await freePort();
  const everything = await startEverything(port);
  const configDir = mkdtempSync(join(tmpdir(), 'switchyard-mcp-bench-'));
  writeFileSync(
    join(configDir, 'mcp.yaml'),
    `apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: everything}
spec: {url: "http://127.0.0.1:${port}/mcp"}
---
apiVersion: v1
kind: Secret
metadata: {name: bench-key}
stringData: {key: ${KEY}}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: bench}
spec: {secretName: bench-key, mcp: {allowedTools: ["everything__echo"]}}
`,
  );
  const gateway = await startProcess(
    [join(repoRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', configDir, '--port', '0', '--admin-port', '0'],
    (m) => m.msg === 'listening',
    { SWITCHYARD_LOG_LEVEL: 'warn' },
  );
  const direct = await connect(`http://127.0.0.1:${port}/mcp`);
  const through = await connect(`http://127.0.0.1:${gateway.info.port}/mcp`, { authorization: `Bearer ${KEY}` });
  try {
    for (let i = 0; i < 50; i++) {
      await timedCall(direct, 'echo');
      await timedCall(through, 'everything__echo');
    }
    const samples = { direct: [], gateway: [] };
    // Alternating, so both paths see the same machine noise.
    for (let i = 0; i < CALLS; i++) {
      samples.direct.push(await timedCall(direct, 'echo'));
      samples.gateway.push(await timedCall(through, 'everything__echo'));
    }
    const summary = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50Ms: Number(percentile(sorted, 0.5).toFixed(3)), p99Ms: Number(percentile(sorted, 0.99).toFixed(3)) };
    };
    const d = summary(samples.direct);
    const g = summary(samples.gateway);
    console.log(
      JSON.stringify({
        calls: CALLS,
        direct: d,
        throughGateway: g,
        addedP50Ms: Number((g.p50Ms - d.p50Ms).toFixed(3)),
        addedP99Ms: Number((g.p99Ms - d.p99Ms).toFixed(3)),
        ratioP50: Number((g.p50Ms / d.p50Ms).toFixed(2)),
      }),
    );
  } finally {
    await direct.close();
    await through.close();
    await stopProcess(gateway.child);
    everything.kill('SIGTERM');
  }
}

await main();
