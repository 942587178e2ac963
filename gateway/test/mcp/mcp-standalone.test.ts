// The /mcp endpoint of real gateway processes in standalone mode: MCPServer and VirtualKey
// manifests in a config directory, the official SDK client, real upstream MCP servers on
// loopback. Two gateways share a session secret file: a session initialized on one continues
// on the other. Tracing exports a span per tool call; the audit line and /metrics show the call.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { API_VERSION, documents, testKey } from '../core/core-fixtures.js';
import { startTracedGateway, type TracedGateway } from '../core/tracing-fixtures.js';
import { SPAN_KIND_SERVER, STATUS_ERROR } from '../mocks/otlp-collector.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { echoTool, failingTool, startSdkUpstream, startStatelessUpstream, type RunningUpstream } from './mcp-upstreams.js';

const KEYS = {
  full: testKey('mcpfull'),
  narrow: testKey('mcpnarrow'),
  teamA: testKey('mcpteama'),
  teamB: testKey('mcpteamb'),
  none: testKey('mcpnone'),
};
const UPSTREAM_TOKEN = 'bearer-for-the-secured-upstream-0123456789';

function key(name: string, plaintext: string, namespace: string, mcp?: Record<string, unknown>): unknown[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-key`, namespace }, stringData: { key: plaintext } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name, namespace },
      spec: { secretName: `${name}-key`, ...(mcp === undefined ? {} : { mcp }) },
    },
  ];
}

function server(name: string, namespace: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name, namespace }, spec };
}

function manifests(main: RunningUpstream, modern: RunningUpstream, secured: RunningUpstream, teamB: RunningUpstream): string {
  return documents(
    server('main', 'default', { url: main.url, toolFilter: { exclude: ['hidden_*'] }, timeouts: { connect: '2s', call: '10s' } }),
    server('modern', 'default', { url: modern.url }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'upstream', namespace: 'default' }, stringData: { token: UPSTREAM_TOKEN } },
    server('secured', 'default', {
      url: secured.url,
      prefix: 'sec',
      auth: { type: 'bearer', secretRef: { name: 'upstream', key: 'token' } },
    }),
    server('private', 'team-b', { url: teamB.url, prefix: 'priv' }),
    ...key('full', KEYS.full, 'default', { allowedTools: ['*'] }),
    ...key('narrow', KEYS.narrow, 'default', { allowedTools: ['main__echo'] }),
    ...key('none', KEYS.none, 'default'),
    ...key('team-a', KEYS.teamA, 'team-a', { allowedTools: ['*'] }),
    ...key('team-b', KEYS.teamB, 'team-b', { allowedTools: ['*'] }),
  );
}

/** The SDK client, its first request (initialize) sent to `first` and every later one to `then`. */
async function connect(first: string, then: string, plaintext: string): Promise<Client> {
  let sent = 0;
  const client = new Client({ name: 'standalone-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${first}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${plaintext}` } },
      fetch: (url, init) => {
        sent += 1;
        return fetch(sent === 1 ? url : String(url).replace(first, then), init);
      },
    }),
  );
  return client;
}

async function statelessCall(gateway: string, plaintext: string, method: string, params: Record<string, unknown> = {}) {
  const response = await fetch(`${gateway}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${plaintext}`, 'content-type': 'application/json', 'mcp-protocol-version': '2026-07-28' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method,
      params: {
        ...params,
        _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} },
      },
    }),
  });
  return { status: response.status, body: (await response.json()) as { result?: Record<string, unknown>; error?: { message: string } } };
}

function names(result: Record<string, unknown> | undefined): string[] {
  return ((result?.tools as Array<{ name: string }> | undefined) ?? []).map((tool) => tool.name);
}

describe('/mcp in standalone gateway processes', () => {
  const upstreams: RunningUpstream[] = [];
  let secretDir: string;
  let gatewayA: GatewayProcess;
  let gatewayB: GatewayProcess;
  let secured: RunningUpstream;
  let yaml: string;

  beforeAll(async () => {
    const main = await startSdkUpstream([echoTool('echo'), failingTool('fail'), echoTool('hidden_echo')], { stateful: true });
    const modern = await startStatelessUpstream([echoTool('echo')]);
    secured = await startSdkUpstream([echoTool('whoami')], { stateful: true, requireBearer: UPSTREAM_TOKEN });
    const teamB = await startSdkUpstream([echoTool('secret')], { stateful: false });
    upstreams.push(main, modern, secured, teamB);
    yaml = manifests(main, modern, secured, teamB);
    secretDir = await mkdtemp(join(tmpdir(), 'switchyard-mcp-secret-'));
    const secretFile = join(secretDir, 'secret');
    await writeFile(secretFile, 'a-session-secret-shared-by-every-replica-0123456789\n');
    [gatewayA, gatewayB] = await Promise.all([
      startGateway({ manifests: { 'all.yaml': yaml }, args: ['--mcp-session-secret-file', secretFile] }),
      startGateway({ manifests: { 'all.yaml': yaml }, env: { SWITCHYARD_MCP_SESSION_SECRET_FILE: secretFile } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gatewayA?.stop(), gatewayB?.stop()]);
    await Promise.all(upstreams.map((upstream) => upstream.close()));
    if (secretDir !== undefined) await rm(secretDir, { recursive: true, force: true });
  });

  it('a session initialized on one gateway continues on the other (shared secret, no sticky routing)', async () => {
    const client = await connect(gatewayA.url, gatewayB.url, KEYS.full);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(['main__echo', 'main__fail', 'modern__echo', 'sec__whoami']);
      const result = await client.callTool({ name: 'main__echo', arguments: { text: 'across replicas' } });
      expect(result.structuredContent).toEqual({ echoed: 'across replicas', tool: 'echo' });
      const failed = await client.callTool({ name: 'main__fail', arguments: {} });
      expect(failed.isError).toBe(true);
    } finally {
      await client.close();
    }
    await eventually(async () => gatewayB.logs().includes('"msg":"mcp tool call"'));
    expect(gatewayA.logs()).not.toContain('"msg":"mcp tool call"');
  });

  it('2026-07-28 callers and upstreams: discover, stateless calls, the bridge both ways', async () => {
    const discovered = await statelessCall(gatewayA.url, KEYS.full, 'server/discover');
    expect(discovered.body.result?.supportedVersions).toEqual(['2026-07-28', '2025-11-25']);
    const toStateful = await statelessCall(gatewayA.url, KEYS.full, 'tools/call', {
      name: 'main__echo',
      arguments: { text: 'new to old' },
    });
    expect(toStateful.body.result).toMatchObject({ resultType: 'complete', structuredContent: { echoed: 'new to old', tool: 'echo' } });
    const client = await connect(gatewayB.url, gatewayB.url, KEYS.full);
    try {
      const toStateless = await client.callTool({ name: 'modern__echo', arguments: { text: 'old to new' } });
      expect(toStateless.structuredContent).toEqual({ echoed: 'old to new', tool: 'echo' });
    } finally {
      await client.close();
    }
  });

  it("denials: allowedTools, a key without mcp, another namespace's server", async () => {
    const narrow = await statelessCall(gatewayA.url, KEYS.narrow, 'tools/list');
    expect(names(narrow.body.result)).toEqual(['main__echo']);
    expect(
      (await statelessCall(gatewayA.url, KEYS.narrow, 'tools/call', { name: 'main__fail', arguments: {} })).body.error?.message,
    ).toContain('unknown tool');
    expect((await statelessCall(gatewayA.url, KEYS.none, 'tools/list')).body.result?.tools).toEqual([]);
    // team-a sees the shared namespace's servers, never team-b's; team-b sees its own and the shared ones.
    const teamA = await statelessCall(gatewayA.url, KEYS.teamA, 'tools/list');
    expect(names(teamA.body.result)).not.toContain('priv__secret');
    expect(
      (await statelessCall(gatewayA.url, KEYS.teamA, 'tools/call', { name: 'priv__secret', arguments: { text: 'x' } })).body.error?.message,
    ).toContain('unknown tool');
    const teamB = await statelessCall(gatewayA.url, KEYS.teamB, 'tools/list');
    expect(names(teamB.body.result)).toContain('priv__secret');
  });

  it('the bearer token from the Secret reaches the upstream; the audit line has no argument values; /metrics counts the call', async () => {
    const value = 'an-argument-value-that-must-never-be-logged';
    const result = await statelessCall(gatewayA.url, KEYS.full, 'tools/call', { name: 'sec__whoami', arguments: { text: value } });
    expect(result.body.result?.structuredContent).toEqual({ echoed: value, tool: 'whoami' });
    expect(new Set(secured.bearerDigests)).toEqual(new Set([hash('sha256', UPSTREAM_TOKEN, 'hex')]));
    // The child's log lines arrive over a pipe, after the answer.
    await eventually(async () => gatewayA.logs().includes('"tool":"sec__whoami"'));
    const audit = gatewayA
      .logs()
      .split('\n')
      .filter((line) => line.includes('"msg":"mcp tool call"') && line.includes('sec__whoami'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(audit).toEqual([
      expect.objectContaining({
        key: 'default/full',
        server: 'default/secured',
        tool: 'sec__whoami',
        argumentsBytes: Buffer.byteLength(JSON.stringify({ text: value })),
        argumentsSha256: hash('sha256', JSON.stringify({ text: value }), 'hex'),
        status: 'ok',
      }),
    ]);
    expect(gatewayA.logs()).not.toContain(value);
    const metrics = await (await fetch(`${gatewayA.adminUrl}/metrics`)).text();
    expect(metrics).toContain('switchyard_mcp_tool_calls_total{server="default/secured",tool="sec__whoami",status="ok"} 1');
    // The denied calls of the test above: no server, and never the caller's name as a label.
    expect(metrics).toMatch(/switchyard_mcp_tool_calls_total\{server="",tool="",status="denied"\} [1-9]/);
    expect(metrics).not.toContain('tool="priv__secret"');
  });

  it('an upstream that goes down: a clear tool error for its tools, the others keep working', async () => {
    const gone = await startSdkUpstream([echoTool('echo')], { stateful: false });
    const url = gone.url;
    await gone.close();
    const gateway = await startGateway({ manifests: { 'all.yaml': `${yaml}---\n${documents(server('gone', 'default', { url }))}` } });
    try {
      const down = await statelessCall(gateway.url, KEYS.full, 'tools/call', { name: 'gone__echo', arguments: { text: 'x' } });
      expect(down.body.result?.isError).toBe(true);
      expect(JSON.stringify(down.body.result?.content)).toContain('MCP server default/gone is unavailable');
      const listed = await statelessCall(gateway.url, KEYS.full, 'tools/list');
      expect(names(listed.body.result)).toContain('main__echo');
      const up = await statelessCall(gateway.url, KEYS.full, 'tools/call', { name: 'main__echo', arguments: { text: 'alive' } });
      expect(up.body.result?.structuredContent).toEqual({ echoed: 'alive', tool: 'echo' });
    } finally {
      await gateway.stop();
    }
  });
});

describe('/mcp tracing', () => {
  let traced: TracedGateway;
  let upstream: RunningUpstream;

  beforeAll(async () => {
    upstream = await startSdkUpstream([echoTool('echo'), failingTool('fail')], { stateful: false });
    traced = await startTracedGateway(() => [
      server('main', 'default', { url: upstream.url }),
      ...key('full', KEYS.full, 'default', { allowedTools: ['*'] }),
    ]);
  });
  afterAll(async () => {
    await traced?.close();
    await upstream?.close();
  });

  it('one SERVER span per tool call, with the tool, server, key and outcome; never the arguments', async () => {
    await statelessCall(traced.gateway.url, KEYS.full, 'tools/call', { name: 'main__echo', arguments: { text: 'span-argument-value' } });
    await statelessCall(traced.gateway.url, KEYS.full, 'tools/call', { name: 'main__fail', arguments: {} });
    const spans = await traced.collector.waitForSpans((all) => all.filter((span) => span.name.startsWith('tools/call ')).length >= 2);
    const echo = spans.find((span) => span.name === 'tools/call main__echo');
    expect(echo).toMatchObject({
      kind: SPAN_KIND_SERVER,
      attributes: expect.objectContaining({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'main__echo',
        'switchyard.mcp.server': 'default/main',
        'switchyard.virtual_key': 'default/full',
        'switchyard.mcp.status': 'ok',
      }),
    });
    const fail = spans.find((span) => span.name === 'tools/call main__fail');
    expect(fail?.status.code).toBe(STATUS_ERROR);
    expect(fail?.attributes['error.type']).toBe('tool_error');
    expect(traced.collector.requests.map((request) => request.body.toString('utf8')).join('')).not.toContain('span-argument-value');
  });
});
