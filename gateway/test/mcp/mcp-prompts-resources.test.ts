// Prompts and resources behind /mcp, driven through the gateway's MCP server with scripted
// upstreams: paging across upstream pages and the gateway's own, cursors that belong to one list,
// the least-privilege rule for resources, a server without prompts, and an upstream that fails.
import { describe, expect, it } from '@jest/globals';
import type { CompiledMCPServer } from '@switchyard/compiler';
import { McpGatewayServer, type McpCaller } from '../../src/mcp/mcp-server.js';
import { McpSessionSigner } from '../../src/mcp/session-token.js';
import type { McpUpstream } from '../../src/mcp/upstream-client.js';
import { McpUpstreamError } from '../../src/mcp/upstream-errors.js';
import type { JsonRpcOutcome } from '../../src/wire/mcp/index.js';

function server(prefix: string): CompiledMCPServer {
  return {
    id: `default/${prefix}`,
    namespace: 'default',
    name: prefix,
    generation: 1,
    prefix,
    transport: 'streamable-http',
    url: `http://127.0.0.1:9/${prefix}`,
    headers: {},
    headerRefs: {},
    auth: { type: 'none' },
    toolFilter: { include: [], exclude: [] },
    timeouts: { connectMs: 1000, callMs: 5000 },
  };
}

/** 150 prompts and 150 resources served 60 to a page; `broken` fails every request; `bare` has no prompts. */
function upstreamFor(kind: 'full' | 'broken' | 'bare', seen: Array<{ method: string; params: Record<string, unknown> }>): McpUpstream {
  const names = Array.from({ length: 150 }, (_, index) => `p${String(149 - index).padStart(3, '0')}`);
  const page = (field: string, items: Record<string, unknown>[], cursor: unknown): JsonRpcOutcome => {
    const start = typeof cursor === 'string' ? Number(cursor) : 0;
    const result: Record<string, unknown> = { [field]: items.slice(start, start + 60) };
    if (start + 60 < items.length) result.nextCursor = String(start + 60);
    return { result };
  };
  return {
    protocolVersion: '2025-11-25',
    request: (method, params) => {
      seen.push({ method, params });
      if (kind === 'broken') return Promise.reject(new McpUpstreamError("no answer within the server's call timeout (5000 ms)", 'timeout'));
      switch (method) {
        case 'prompts/list':
          if (kind === 'bare') return Promise.resolve({ error: { code: -32601, message: 'Method not found' } });
          return Promise.resolve(
            page(
              'prompts',
              names.map((name) => ({ name, description: `prompt ${name}` })),
              params.cursor,
            ),
          );
        case 'resources/list':
          return Promise.resolve(
            page(
              'resources',
              names.map((name) => ({ uri: `file:///${name}.txt`, name })),
              params.cursor,
            ),
          );
        case 'resources/templates/list':
          return Promise.resolve({ result: { resourceTemplates: [{ uriTemplate: 'file:///{name}.txt', name: 'files' }] } });
        case 'resources/read':
          return Promise.resolve({ result: { contents: [{ uri: params.uri, text: `read ${String(params.uri)}` }] } });
        case 'prompts/get':
          return Promise.resolve({ result: { messages: [{ role: 'user', content: { type: 'text', text: String(params.name) } }] } });
        default:
          return Promise.resolve({ result: { tools: [] } });
      }
    },
  };
}

function gatewayWith(kinds: Record<string, 'full' | 'broken' | 'bare'>) {
  const seen: Array<{ method: string; params: Record<string, unknown> }> = [];
  const failed: string[] = [];
  const gateway = new McpGatewayServer({
    upstreams: { get: (compiled) => upstreamFor(kinds[compiled.prefix] ?? 'full', seen) },
    sessions: McpSessionSigner.ephemeral(),
    admitToolCall: () => Promise.resolve(undefined),
    upstreamFailed: (compiled) => failed.push(compiled.id),
    serverInfo: { name: 'gw', version: '0' },
    nowMs: Date.now,
  });
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const call = async (caller: McpCaller, method: string, params: Record<string, unknown> = {}) => {
    const answer = await gateway.handle(caller, {
      message: { kind: 'request', id: 1, method, params: { _meta: meta, ...params } },
      sessionId: undefined,
      protocolHeader: '2026-07-28',
      signal: new AbortController().signal,
      recordToolCall: () => undefined,
    });
    return JSON.parse(answer.body as string) as {
      result?: Record<string, unknown> & { nextCursor?: string };
      error?: { code: number; message: string };
    };
  };
  return { call, seen, failed };
}

function caller(allowedTools: string[], prefixes: string[] = ['s']): McpCaller {
  return { keyId: 'default/k', mcp: { allowedTools }, servers: prefixes.map(server) };
}

describe('prompts and resources behind /mcp', () => {
  it('pages prompts and resources over every upstream page, sorted, with cursors that belong to one list', async () => {
    const { call } = gatewayWith({});
    const whole = caller(['s__*']);
    const first = await call(whole, 'prompts/list');
    const firstPrompts = first.result?.prompts as Array<{ name: string }>;
    expect(firstPrompts).toHaveLength(100);
    const second = await call(whole, 'prompts/list', { cursor: first.result?.nextCursor });
    const names = [...firstPrompts, ...((second.result?.prompts ?? []) as Array<{ name: string }>)].map((prompt) => prompt.name);
    expect(second.result?.nextCursor).toBeUndefined();
    expect(names).toEqual(Array.from({ length: 150 }, (_, index) => `s__p${String(index).padStart(3, '0')}`));

    const resources = await call(whole, 'resources/list');
    expect(((resources.result?.resources ?? []) as Array<{ uri: string }>)[0]?.uri).toBe('s__file:///p000.txt');
    // A cursor of one list is refused by another.
    expect((await call(whole, 'resources/list', { cursor: first.result?.nextCursor })).error?.code).toBe(-32602);
    expect((await call(whole, 'prompts/list', { cursor: resources.result?.nextCursor })).error?.code).toBe(-32602);
    const tools = await call(whole, 'tools/list', { cursor: first.result?.nextCursor });
    expect(tools.error?.code).toBe(-32602);
  });

  it('filters prompts by allowedTools and shows resources only to a key granted the whole server', async () => {
    const { call, seen } = gatewayWith({});
    const partial = caller(['s__p00*']);
    const prompts = (await call(partial, 'prompts/list')).result?.prompts as Array<{ name: string }>;
    expect(prompts.map((prompt) => prompt.name)).toEqual(Array.from({ length: 10 }, (_, index) => `s__p00${index}`));
    expect((await call(partial, 'prompts/get', { name: 's__p010' })).error?.message).toMatch(/^unknown prompt: s__p010/);
    expect((await call(partial, 'prompts/get', { name: 's__p001' })).result?.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'p001' } },
    ]);
    expect((await call(partial, 'resources/list')).result?.resources).toEqual([]);
    expect((await call(partial, 'resources/templates/list')).result?.resourceTemplates).toEqual([]);
    const denied = await call(partial, 'resources/read', { uri: 's__file:///p001.txt' });
    expect(denied.error?.code).toBe(-32002);
    expect(seen.filter((request) => request.method.startsWith('resources/'))).toEqual([]);

    for (const glob of ['*', 's*', 's__*']) {
      const read = await call(caller([glob]), 'resources/read', { uri: 's__file:///p001.txt' });
      expect(read.result?.contents).toEqual([{ uri: 's__file:///p001.txt', text: 'read file:///p001.txt' }]);
    }
    const templates = await call(caller(['s__*']), 'resources/templates/list');
    expect(templates.result?.resourceTemplates).toEqual([{ uriTemplate: 's__file:///{name}.txt', name: 'files' }]);
    // A key without an mcp section sees nothing.
    const none: McpCaller = { keyId: 'default/n', mcp: undefined, servers: [server('s')] };
    expect((await call(none, 'prompts/list')).result?.prompts).toEqual([]);
    expect((await call(none, 'resources/list')).result?.resources).toEqual([]);
  });

  it('leaves out a server without prompts quietly and a failing one with a warning; reads from it name the server', async () => {
    const { call, failed } = gatewayWith({ bare: 'bare', down: 'broken' });
    const everyone = caller(['*'], ['s', 'bare', 'down']);
    const prompts = (await call(everyone, 'prompts/list')).result?.prompts as Array<{ name: string }>;
    expect(prompts).toHaveLength(100);
    expect(prompts.every((prompt) => prompt.name.startsWith('s__'))).toBe(true);
    expect(failed).toEqual(['default/down']);
    const read = await call(everyone, 'resources/read', { uri: 'down__file:///x' });
    expect(read.error?.code).toBe(-32603);
    expect(read.error?.message).toMatch(/^MCP server default\/down is unavailable, so resources\/read cannot run: no answer within/);
  });
});
