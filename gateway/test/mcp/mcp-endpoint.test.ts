// The /mcp endpoint through real interfaces: the official MCP TypeScript SDK client (and raw
// HTTP for the stateless 2026-07-28 revision, which that client does not speak yet) against
// gateways on loopback, in front of real upstream MCP servers (the SDK's server, stateful and
// stateless, and a 2026-07-28-only server). The routing table is built by hand here (the
// MCPServer kind's compiler is another change); standalone manifests are covered separately.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hash } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLogger, type CompiledMCPServer, type CompiledVirtualKey, type RoutingTable } from '@switchyard/compiler';
import { createGovernance, type Governance } from '../../src/governance/create-governance.js';
import { McpSessionSigner } from '../../src/mcp/session-token.js';
import { GatewayMetrics } from '../../src/observe/metrics.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { startGatewayServer, type RunningGateway } from '../../src/server/gateway-server.js';
import { createEgressGuard } from '../../src/transport/egress-guard.js';
import { UpstreamTransport } from '../../src/transport/upstream-transport.js';
import { compiledKey, routingTable } from '../core/table-fixtures.js';
import { bigTool, echoTool, failingTool, startSdkUpstream, startStatelessUpstream, type RunningUpstream } from './mcp-upstreams.js';

const KEYS = {
  full: 'sk-sy-mcpfull0123456789abcdefghijklmnopqrstu',
  narrow: 'sk-sy-mcpnarrow0123456789abcdefghijklmnopqr',
  none: 'sk-sy-mcpnone0123456789abcdefghijklmnopqrstu',
  other: 'sk-sy-mcpother0123456789abcdefghijklmnopqrst',
  limited: 'sk-sy-mcplimited0123456789abcdefghijklmnopq',
};
const UPSTREAM_TOKEN = 'upstream-bearer-token-for-the-secured-server';
const SHARED_SECRET = Buffer.from('a shared secret of at least thirty-two bytes, for every replica');
const MAX_RESULT_BYTES = 8 * 1024;

function mcpServer(
  namespace: string,
  name: string,
  prefix: string,
  url: string,
  extra: Partial<CompiledMCPServer> = {},
): CompiledMCPServer {
  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    generation: 1,
    prefix,
    transport: 'streamable-http',
    url,
    headers: {},
    headerRefs: {},
    auth: { type: 'none' },
    toolFilter: { include: [], exclude: [] },
    timeouts: { connectMs: 1000, callMs: 5000 },
    ...extra,
  };
}

/** A port nothing listens on: bound, read and released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Gateway {
  running: RunningGateway;
  governance: Governance;
  transport: UpstreamTransport;
  lines: string[];
  url: string;
}

async function startGateway(table: RoutingTable, sessions: McpSessionSigner): Promise<Gateway> {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', write: (line) => lines.push(line) });
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  const governance = await createGovernance({
    providers: createProviderRegistry(),
    metricsRegistry: metrics.registry,
    logger,
    redisFailureMode: 'open',
    redisTimeoutMs: 250,
    env: {},
  });
  governance.tables.load(table);
  const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
  const running = await startGatewayServer({
    host: '127.0.0.1',
    port: 0,
    adminPort: 0,
    deps: {
      tables: governance.tables,
      transport,
      metrics,
      logger,
      admission: governance.admission,
      maxBodyBytes: 1 << 20,
      mcp: { sessions, maxResultBytes: MAX_RESULT_BYTES },
      random: Math.random,
    },
  });
  return { running, governance, transport, lines, url: `http://127.0.0.1:${running.port}/mcp` };
}

async function sdkClient(gatewayUrl: string, key: string): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(gatewayUrl), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
  );
  return client;
}

interface JsonRpcAnswer {
  status: number;
  headers: Headers;
  body: { result?: Record<string, unknown>; error?: { code: number; message: string } } | undefined;
}

async function rpc(
  url: string,
  key: string,
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<JsonRpcAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text.length > 0 ? (JSON.parse(text) as JsonRpcAnswer['body']) : undefined,
  };
}

/** A 2026-07-28 request: the version and capabilities in `_meta` and in MCP-Protocol-Version, no session. */
function stateless(url: string, key: string, method: string, params: Record<string, unknown> = {}): Promise<JsonRpcAnswer> {
  return rpc(
    url,
    key,
    method,
    { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } },
    { 'mcp-protocol-version': '2026-07-28' },
  );
}

function toolNames(result: Record<string, unknown> | undefined): string[] {
  return ((result?.tools as Array<{ name: string }> | undefined) ?? []).map((tool) => tool.name);
}

describe('the /mcp endpoint', () => {
  const upstreams: RunningUpstream[] = [];
  let main: RunningUpstream;
  let modern: RunningUpstream;
  let secured: RunningUpstream;
  let privateUpstream: RunningUpstream;
  let table: RoutingTable;
  let gatewayA: Gateway;
  let gatewayB: Gateway;

  beforeAll(async () => {
    main = await startSdkUpstream([echoTool('echo'), failingTool('fail'), bigTool('big', 32 * 1024), echoTool('hidden_echo')], {
      stateful: true,
    });
    modern = await startStatelessUpstream([echoTool('echo')]);
    secured = await startSdkUpstream([echoTool('whoami')], { stateful: false, requireBearer: UPSTREAM_TOKEN });
    privateUpstream = await startSdkUpstream([echoTool('secret')], { stateful: false });
    upstreams.push(main, modern, secured, privateUpstream);
    const servers = [
      mcpServer('default', 'main', 'main', main.url, { toolFilter: { include: [], exclude: ['hidden_*'] } }),
      mcpServer('default', 'modern', 'modern', modern.url),
      mcpServer('default', 'secured', 'sec', secured.url, { auth: { type: 'bearer', ref: 'tokens/upstream', token: UPSTREAM_TOKEN } }),
      mcpServer('default', 'down', 'down', `http://127.0.0.1:${await closedPort()}/mcp`),
      mcpServer('other', 'private', 'priv', privateUpstream.url),
    ];
    const keys: CompiledVirtualKey[] = [
      compiledKey('full', KEYS.full, { mcp: { allowedTools: ['*'] } }),
      compiledKey('narrow', KEYS.narrow, { mcp: { allowedTools: ['main__echo'] } }),
      compiledKey('none', KEYS.none),
      compiledKey('other', KEYS.other, { id: 'other/other', namespace: 'other', mcp: { allowedTools: ['*'] } }),
      compiledKey('limited', KEYS.limited, { mcp: { allowedTools: ['main__echo'], rateLimit: { callsPerMinute: 2 } } }),
    ];
    table = {
      ...routingTable([], keys),
      mcpServers: Object.fromEntries(servers.map((server) => [server.id, server])),
      mcpServersByNamespace: { default: ['default/main', 'default/modern', 'default/secured', 'default/down'], other: ['other/private'] },
    };
    gatewayA = await startGateway(table, new McpSessionSigner(SHARED_SECRET));
    gatewayB = await startGateway(table, new McpSessionSigner(Buffer.from(SHARED_SECRET)));
  });

  afterAll(async () => {
    for (const gateway of [gatewayA, gatewayB]) {
      if (gateway === undefined) continue;
      await gateway.running.close(100);
      await gateway.transport.close();
      await gateway.governance.close();
    }
    await Promise.all(upstreams.map((upstream) => upstream.close()));
  });

  it('2025-11-25 with the SDK client: tools of every reachable server, prefixed, filtered and sorted; calls pass results through intact', async () => {
    const client = await sdkClient(gatewayA.url, KEYS.full);
    try {
      expect(client.getServerVersion()?.name).toBe('switchyard');
      const { tools } = await client.listTools();
      // `down` is unreachable and `hidden_echo` is excluded by the server's toolFilter; `priv__*` is another namespace's.
      expect(tools.map((tool) => tool.name)).toEqual(['main__big', 'main__echo', 'main__fail', 'modern__echo', 'sec__whoami']);
      expect(tools.find((tool) => tool.name === 'main__echo')?.outputSchema).toBeDefined();

      const echoed = await client.callTool({ name: 'main__echo', arguments: { text: 'hello through the gateway' } });
      expect(echoed.structuredContent).toEqual({ echoed: 'hello through the gateway', tool: 'echo' });
      expect(echoed.content).toEqual([{ type: 'text', text: 'hello through the gateway' }]);
      expect(main.calls.at(-1)).toEqual({ name: 'echo', arguments: { text: 'hello through the gateway' } });

      const failed = await client.callTool({ name: 'main__fail', arguments: {} });
      expect(failed.isError).toBe(true);
      expect(failed.content).toEqual([{ type: 'text', text: 'fail failed on purpose' }]);
    } finally {
      await client.close();
    }
    // The stateful upstream was initialized once and its session reused for every later call.
    expect(main.methods.filter((method) => method === 'initialize')).toHaveLength(1);
  });

  it('bridges to a 2026-07-28-only upstream (discover, _meta on every request)', async () => {
    const client = await sdkClient(gatewayA.url, KEYS.full);
    try {
      const result = await client.callTool({ name: 'modern__echo', arguments: { text: 'to the stateless upstream' } });
      expect(result.structuredContent).toEqual({ echoed: 'to the stateless upstream', tool: 'echo' });
    } finally {
      await client.close();
    }
    expect(modern.methods).toContain('server/discover');
    expect(modern.methods).not.toContain('initialize');
    expect(modern.calls.at(-1)).toEqual({ name: 'echo', arguments: { text: 'to the stateless upstream' } });
  });

  it('2026-07-28 callers: server/discover, then stateless requests with _meta and no session', async () => {
    const discovered = await stateless(gatewayA.url, KEYS.full, 'server/discover');
    expect(discovered.status).toBe(200);
    expect(discovered.body?.result).toMatchObject({
      resultType: 'complete',
      supportedVersions: ['2026-07-28', '2025-11-25'],
      capabilities: { tools: {} },
    });
    expect(discovered.headers.get('mcp-session-id')).toBeNull();

    const listed = await stateless(gatewayB.url, KEYS.full, 'tools/list');
    expect(listed.body?.result?.resultType).toBe('complete');
    expect(toolNames(listed.body?.result)).toContain('main__echo');

    const called = await stateless(gatewayA.url, KEYS.full, 'tools/call', { name: 'main__echo', arguments: { text: 'stateless caller' } });
    expect(called.body?.result).toMatchObject({ resultType: 'complete', structuredContent: { echoed: 'stateless caller', tool: 'echo' } });

    const unsupported = await rpc(gatewayA.url, KEYS.full, 'tools/list', {
      _meta: { 'io.modelcontextprotocol/protocolVersion': '2031-01-01' },
    });
    expect(unsupported.status).toBe(400);
    expect(unsupported.body?.error?.message).toContain('unsupported protocol version');
  });

  it('a session started on one replica continues on another that shares the secret, and on no other', async () => {
    const init = await rpc(gatewayA.url, KEYS.full, 'initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'raw', version: '1' },
    });
    expect(init.body?.result?.protocolVersion).toBe('2025-11-25');
    const session = init.headers.get('mcp-session-id');
    expect(session).toBeTruthy();
    const headers = { 'mcp-session-id': session as string, 'mcp-protocol-version': '2025-11-25' };

    const onB = await rpc(gatewayB.url, KEYS.full, 'tools/call', { name: 'main__echo', arguments: { text: 'on replica B' } }, headers);
    expect(onB.status).toBe(200);
    expect(onB.body?.result?.structuredContent).toEqual({ echoed: 'on replica B', tool: 'echo' });

    // The same session id with another key, or on a gateway with its own secret, is unknown (404: initialize again).
    const otherKey = await rpc(gatewayB.url, KEYS.narrow, 'tools/list', {}, headers);
    expect(otherKey.status).toBe(404);
    const stranger = await startGateway(table, McpSessionSigner.ephemeral());
    try {
      const refused = await rpc(stranger.url, KEYS.full, 'tools/list', {}, headers);
      expect(refused.status).toBe(404);
      expect(refused.body?.error?.message).toContain('signature');
    } finally {
      await stranger.running.close(100);
      await stranger.transport.close();
      await stranger.governance.close();
    }
    const missing = await rpc(gatewayB.url, KEYS.full, 'tools/list', {});
    expect(missing.status).toBe(400);
  });

  it("allowedTools: a tool outside the key's globs is neither listed nor callable", async () => {
    const client = await sdkClient(gatewayA.url, KEYS.narrow);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['main__echo']);
      const before = main.calls.length;
      await expect(client.callTool({ name: 'main__fail', arguments: {} })).rejects.toThrow(/unknown tool: main__fail/);
      // Excluded by the server's toolFilter: refused even for a key allowed everything.
      expect(main.calls.length).toBe(before);
    } finally {
      await client.close();
    }
    const hidden = await stateless(gatewayA.url, KEYS.full, 'tools/call', { name: 'main__hidden_echo', arguments: { text: 'x' } });
    expect(hidden.body?.error?.message).toContain('unknown tool');
  });

  it('a key without an mcp section sees no tools and calls none; a key of another namespace never sees the server', async () => {
    const none = await stateless(gatewayA.url, KEYS.none, 'tools/list');
    expect(toolNames(none.body?.result)).toEqual([]);
    const noneCall = await stateless(gatewayA.url, KEYS.none, 'tools/call', { name: 'main__echo', arguments: { text: 'x' } });
    expect(noneCall.body?.error?.message).toContain('unknown tool');

    const other = await stateless(gatewayA.url, KEYS.other, 'tools/list');
    expect(toolNames(other.body?.result)).toEqual(['priv__secret']);
    const across = await stateless(gatewayA.url, KEYS.other, 'tools/call', { name: 'main__echo', arguments: { text: 'x' } });
    expect(across.body?.error?.message).toContain('unknown tool');
    const mine = await stateless(gatewayA.url, KEYS.full, 'tools/list');
    expect(toolNames(mine.body?.result)).not.toContain('priv__secret');
  });

  it('an unreachable upstream: its tools get a clear tool error, the other servers keep working', async () => {
    const down = await stateless(gatewayA.url, KEYS.full, 'tools/call', { name: 'down__anything', arguments: {} });
    expect(down.body?.result?.isError).toBe(true);
    expect(JSON.stringify(down.body?.result?.content)).toContain('MCP server default/down is unavailable');
    const up = await stateless(gatewayA.url, KEYS.full, 'tools/call', { name: 'main__echo', arguments: { text: 'still here' } });
    expect(up.body?.result?.structuredContent).toEqual({ echoed: 'still here', tool: 'echo' });
  });

  it("bearer auth: the configured token reaches the upstream (its digest compared), never the caller's key", async () => {
    const result = await stateless(gatewayA.url, KEYS.full, 'tools/call', { name: 'sec__whoami', arguments: { text: 'authenticated' } });
    expect(result.body?.result?.structuredContent).toEqual({ echoed: 'authenticated', tool: 'whoami' });
    expect(secured.bearerDigests.length).toBeGreaterThan(0);
    expect(new Set(secured.bearerDigests)).toEqual(new Set([hash('sha256', UPSTREAM_TOKEN, 'hex')]));
    expect(main.bearerDigests).toEqual([]);
  });

  it('a result over --mcp-max-result-bytes is refused with a tool error naming the limit', async () => {
    const result = await stateless(gatewayA.url, KEYS.full, 'tools/call', { name: 'main__big', arguments: {} });
    expect(result.body?.result?.isError).toBe(true);
    expect(JSON.stringify(result.body?.result?.content)).toContain(`${MAX_RESULT_BYTES}-byte limit (--mcp-max-result-bytes)`);
  });

  it("callsPerMinute: the key's tool calls are limited with a tool error saying so", async () => {
    const call = () => stateless(gatewayA.url, KEYS.limited, 'tools/call', { name: 'main__echo', arguments: { text: 'counted' } });
    expect((await call()).body?.result?.isError).toBeUndefined();
    expect((await call()).body?.result?.isError).toBeUndefined();
    const third = await call();
    expect(third.body?.result?.isError).toBe(true);
    expect(JSON.stringify(third.body?.result?.content)).toContain('2 tool calls per minute');
  });

  it('one audit line per tool call: key, server, tool, argument size and digest, status, latency; never the argument values', async () => {
    const secretValue = 'do-not-log-this-argument-value-4711';
    const args = { text: secretValue };
    const result = await stateless(gatewayB.url, KEYS.full, 'tools/call', { name: 'main__echo', arguments: args });
    expect(result.status).toBe(200);
    const audits = gatewayB.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'mcp tool call');
    const line = audits.find((candidate) => candidate.argumentsSha256 === hash('sha256', JSON.stringify(args), 'hex'));
    expect(line).toMatchObject({
      key: 'default/full',
      server: 'default/main',
      tool: 'main__echo',
      argumentsBytes: Buffer.byteLength(JSON.stringify(args)),
      status: 'ok',
      latencyMs: expect.any(Number),
    });
    expect(gatewayB.lines.join('\n')).not.toContain(secretValue);
  });

  it('rejects what is not MCP: a bad key (401), a GET without a session, a wrong method (405 with Allow), a malformed message, a body too large (413)', async () => {
    const badKey = await rpc(gatewayA.url, 'sk-sy-not-a-key', 'tools/list', {});
    expect(badKey.status).toBe(401);
    expect(badKey.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    // GET opens a session's event stream: one that does not accept events, or has no session, is refused.
    const get = await fetch(gatewayA.url, { headers: { authorization: `Bearer ${KEYS.full}` } });
    expect(get.status).toBe(406);
    expect(await get.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    const sessionless = await fetch(gatewayA.url, { headers: { authorization: `Bearer ${KEYS.full}`, accept: 'text/event-stream' } });
    expect(sessionless.status).toBe(400);
    const forged = await fetch(gatewayA.url, {
      headers: { authorization: `Bearer ${KEYS.full}`, accept: 'text/event-stream', 'mcp-session-id': 'not-a-session' },
    });
    expect(forged.status).toBe(404);
    const remove = await fetch(gatewayA.url, { method: 'DELETE', headers: { authorization: `Bearer ${KEYS.full}` } });
    expect(remove.status).toBe(405);
    expect(remove.headers.get('allow')).toBe('GET, HEAD, POST');
    const malformed = await fetch(gatewayA.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.full}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'tools/list' }),
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32600 } });
    // Bounded like every endpoint (--max-body-bytes; 1 MiB in these gateways).
    const large = await fetch(gatewayA.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.full}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'main__echo', arguments: { text: 'x'.repeat(2 << 20) } },
      }),
    });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: expect.stringContaining('--max-body-bytes') },
    });
  });
});
