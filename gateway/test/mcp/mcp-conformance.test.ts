// The MCP conformance suite (@modelcontextprotocol/conformance, its server scenarios) against a
// standalone gateway's /mcp, with the reference server (@modelcontextprotocol/server-everything)
// behind it as a stdio upstream. The suite's client sends no credentials, so a loopback proxy in
// this test adds the virtual key to every request and changes nothing else.
//
// The baseline below lists the scenarios the gateway fails on purpose or does not serve yet, each
// with its reason; docs/compatibility.md shows the same table. The suite fails the run on a
// scenario that fails outside the baseline and on a baseline entry that now passes, so the table
// stays true in both directions.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_VERSION, documents, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const KEY = testKey('conformance');
const SUITE = fileURLToPath(import.meta.resolve('@modelcontextprotocol/conformance/dist/index.js'));
const EVERYTHING = fileURLToPath(import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'));

/** Scenarios expected to fail, and why. */
const EXPECTED_FAILURES: Record<string, string> = {
  'logging-set-level': 'the gateway has no log stream of its own to offer callers; it does not declare the logging capability',
  'completion-complete': 'prompt names are prefixed (completion/complete is served for everything__test_prompt_with_arguments)',
  'tools-call-simple-text': "tool names are prefixed with the MCPServer's prefix (everything__test_simple_text)",
  'tools-call-image': 'tool names are prefixed',
  'tools-call-audio': 'tool names are prefixed',
  'tools-call-embedded-resource': 'tool names are prefixed',
  'tools-call-mixed-content': 'tool names are prefixed',
  'tools-call-with-logging': "tool names are prefixed (a call's log messages are relayed)",
  'tools-call-error': 'tool names are prefixed',
  'tools-call-with-progress': "tool names are prefixed (a call's progress is relayed)",
  'tools-call-sampling': 'tool names are prefixed; the gateway refuses sampling requests from upstreams',
  'tools-call-elicitation': 'tool names are prefixed; the gateway refuses elicitation requests from upstreams',
  'elicitation-sep1034-defaults': 'the gateway refuses elicitation requests from upstreams',
  'elicitation-sep1330-enums': 'the gateway refuses elicitation requests from upstreams',
  'resources-read-text': "resource URIs are offered under the server's prefix",
  'resources-read-binary': "resource URIs are offered under the server's prefix",
  'resources-templates-read': "resource URIs are offered under the server's prefix",
  'resources-subscribe': 'resource subscriptions are not served',
  'resources-unsubscribe': 'resource subscriptions are not served',
  'prompts-get-simple': 'prompt names are prefixed',
  'prompts-get-with-args': 'prompt names are prefixed',
  'prompts-get-embedded-resource': 'prompt names are prefixed',
  'prompts-get-with-image': 'prompt names are prefixed',
};

/** Forwards every request to the gateway with the key added; bodies and answers stream through untouched. */
function startKeyProxy(gatewayUrl: string): Promise<Server> {
  const target = new URL(gatewayUrl);
  const proxy = createServer((req, res) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, authorization: `Bearer ${KEY}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(proxy)));
}

function runSuite(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SUITE, ...args], { cwd, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Scenarios expected to pass (the suite's active server scenarios outside the baseline). */
const EXPECTED_PASSES = [
  'server-initialize',
  'ping',
  'tools-list',
  'server-sse-multiple-streams',
  'resources-list',
  'prompts-list',
  'dns-rebinding-protection',
];

describe('the MCP conformance suite against /mcp', () => {
  let gateway: GatewayProcess;
  let proxy: Server;
  let workDir: string;
  let run: { code: number; output: string };
  /** Scenario -> whether every one of its checks passed. */
  const outcomes = new Map<string, boolean>();

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'switchyard-conformance-'));
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'key', namespace: 'default' }, stringData: { key: KEY } },
          {
            apiVersion: API_VERSION,
            kind: 'VirtualKey',
            metadata: { name: 'conformance', namespace: 'default' },
            spec: { secretName: 'key', mcp: { allowedTools: ['*'] } },
          },
          {
            apiVersion: API_VERSION,
            kind: 'MCPServer',
            metadata: { name: 'everything', namespace: 'default' },
            spec: { command: [process.execPath, EVERYTHING, 'stdio'], timeouts: { call: '30s' } },
          },
        ),
      },
    });
    proxy = await startKeyProxy(gateway.url);
    const baseline = join(workDir, 'baseline.yml');
    await writeFile(
      baseline,
      `server:\n${Object.keys(EXPECTED_FAILURES)
        .map((name) => `  - ${name}\n`)
        .join('')}`,
    );
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`;
    const results = join(workDir, 'results');
    run = await runSuite(['server', '--url', url, '--expected-failures', baseline, '-o', results], workDir);
    for (const dir of await readdir(results)) {
      const scenario = dir.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T.*$/, '');
      const checks = JSON.parse(await readFile(join(results, dir, 'checks.json'), 'utf8')) as Array<{ status: string }>;
      outcomes.set(scenario, !checks.some((check) => check.status === 'FAILURE'));
    }
  }, 300_000);

  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await gateway?.stop();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it('the suite exits 0: no failure outside the baseline, no baseline entry that passes', () => {
    expect({ code: run.code, scenarios: [...outcomes.keys()].sort() }).toEqual({
      code: 0,
      scenarios: [...EXPECTED_PASSES, ...Object.keys(EXPECTED_FAILURES)].sort(),
    });
  });

  // One test per scenario: scripts/compatibility-reporter.mjs publishes these in docs/compatibility.md.
  it.each(EXPECTED_PASSES)('MCP conformance scenario %s: passes', (scenario) => {
    expect(outcomes.get(scenario)).toBe(true);
  });

  it.each(Object.entries(EXPECTED_FAILURES))('MCP conformance scenario %s: fails as expected (%s)', (scenario) => {
    expect(outcomes.get(scenario)).toBe(false);
  });
});
