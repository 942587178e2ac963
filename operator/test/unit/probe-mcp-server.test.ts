// The operator's check of an MCPServer against real servers: the reference server-everything over
// streamable HTTP and the legacy SSE transport, a server built with the SDK behind a bearer token
// or OAuth client credentials, a closed port and a server that never answers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CompiledMCPServer } from '@switchyard/compiler';
import { probeMCPServer, STATUS_TOOL_LIMIT } from '../../src/mcp/probe-mcp-server.js';
import { closedPortUrl, startEverythingServer, startSilentServer, startToolServer, type Upstream } from '../support/mcp-upstreams.js';

function server(overrides: Partial<CompiledMCPServer>): CompiledMCPServer {
  return {
    id: 'ai/tools',
    namespace: 'ai',
    name: 'tools',
    generation: 1,
    prefix: 'tools',
    transport: 'streamable-http',
    url: 'http://127.0.0.1:1/mcp',
    headers: {},
    headerRefs: {},
    auth: { type: 'none' },
    toolFilter: { include: ['*'], exclude: [] },
    timeouts: { connectMs: 5000, callMs: 5000 },
    ...overrides,
  };
}

const upstreams: Upstream[] = [];
afterAll(async () => {
  await Promise.all(upstreams.map((upstream) => upstream.close()));
});

describe('checking server-everything', () => {
  let http: Upstream;
  let sse: Upstream;
  beforeAll(async () => {
    [http, sse] = await Promise.all([startEverythingServer('streamableHttp'), startEverythingServer('sse')]);
    upstreams.push(http, sse);
  }, 60_000);

  it.each<['streamable-http' | 'sse', () => Upstream]>([
    ['streamable-http', () => http],
    ['sse', () => sse],
  ])(
    'lists its tools over %s, prefixed, filtered and sorted, with the negotiated protocol version',
    async (transport, upstream) => {
      const all = await probeMCPServer(server({ url: upstream().url, transport, prefix: 'everything' }));
      if (!all.ok) throw new Error(`${all.reason}: ${all.message}`);
      expect(all.tools).toContain('everything__echo');
      expect(all.tools).toEqual([...all.tools].sort());
      expect(all.toolCount).toBe(all.tools.length);
      expect(all.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      const filtered = await probeMCPServer(
        server({ url: upstream().url, transport, prefix: 'everything', toolFilter: { include: ['*'], exclude: ['echo', 'get-*'] } }),
      );
      if (!filtered.ok) throw new Error(filtered.message);
      expect(filtered.tools).not.toContain('everything__echo');
      expect(filtered.tools.some((name) => name.startsWith('everything__get-'))).toBe(false);
      expect(filtered.toolCount).toBeLessThan(all.toolCount);
    },
    30_000,
  );
});

describe('checking a server behind credentials', () => {
  let tools: Awaited<ReturnType<typeof startToolServer>>;
  beforeAll(async () => {
    const names = Array.from({ length: STATUS_TOOL_LIMIT + 20 }, (_, i) => `tool_${String(i).padStart(3, '0')}`);
    tools = await startToolServer({ tools: ['create_issue', 'delete_repo', ...names], token: 'tok-1', client: { id: 'sy', secret: 'cs' } });
    upstreams.push(tools);
  });

  it('sends the bearer token and the headers, and bounds status.tools to the first 100 names', async () => {
    const result = await probeMCPServer(
      server({ url: tools.url, auth: { type: 'bearer', ref: 'ai/t/token', token: 'tok-1' }, headers: { 'X-Org': 'acme' } }),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.toolCount).toBe(STATUS_TOOL_LIMIT + 22);
    expect(result.tools).toHaveLength(STATUS_TOOL_LIMIT);
    expect(result.tools[0]).toBe('tools__create_issue');
    expect(tools.seen.at(-1)?.['x-org']).toBe('acme');
  });

  it('gets a token with the client-credentials grant first', async () => {
    const result = await probeMCPServer(
      server({
        url: tools.url,
        toolFilter: { include: ['*_*'], exclude: ['tool_*'] },
        auth: {
          type: 'oauth2ClientCredentials',
          tokenURL: tools.tokenURL,
          clientId: 'sy',
          clientSecretRef: 'ai/c/s',
          clientSecret: 'cs',
          scopes: ['tools'],
        },
      }),
    );
    expect(result).toMatchObject({ ok: true, tools: ['tools__create_issue', 'tools__delete_repo'], toolCount: 2 });
  });

  it.each<[string, Partial<CompiledMCPServer>, RegExp]>([
    ['a wrong token', { auth: { type: 'bearer', ref: 'ai/t/token', token: 'wrong' } }, /HTTP 401/],
    ['no token', {}, /HTTP 401/],
  ])('reports Unauthorized for %s, without the token', async (_name, overrides, message) => {
    const result = await probeMCPServer(server({ url: tools.url, ...overrides }));
    expect(result).toMatchObject({ ok: false, reason: 'Unauthorized' });
    expect(result.ok ? '' : result.message).toMatch(message);
    expect(JSON.stringify(result)).not.toContain('wrong');
  });

  it('reports Unauthorized when the token endpoint refuses the client', async () => {
    const result = await probeMCPServer(
      server({
        url: tools.url,
        auth: {
          type: 'oauth2ClientCredentials',
          tokenURL: tools.tokenURL,
          clientId: 'sy',
          clientSecretRef: 'ai/c/s',
          clientSecret: 'bad',
          scopes: [],
        },
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      reason: 'Unauthorized',
      message: 'the token endpoint refused the client credentials (HTTP 401)',
    });
  });
});

describe('checking a server that is not there', () => {
  it('reports Unreachable for a closed port, naming the connection error', async () => {
    const result = await probeMCPServer(server({ url: await closedPortUrl() }));
    expect(result).toMatchObject({ ok: false, reason: 'Unreachable', message: 'cannot connect (ECONNREFUSED)' });
  });

  it.each<['streamable-http' | 'sse']>([['streamable-http'], ['sse']])(
    'reports Timeout over %s when the server accepts and never answers, within timeouts.connect',
    async (transport) => {
      const silent = await startSilentServer();
      upstreams.push(silent);
      const result = await probeMCPServer(server({ url: silent.url, transport, timeouts: { connectMs: 300, callMs: 60_000 } }));
      expect(result).toMatchObject({ ok: false, reason: 'Timeout' });
      expect(result.ok ? '' : result.message).toContain('300 ms');
    },
    20_000,
  );
});
