// The gateway's client of legacy HTTP+SSE upstreams, against a scripted server on loopback that
// misbehaves on request: answers out of order, an endpoint on another origin, an event over the
// byte limit, a stream that ends while a request waits, and an address the egress guard refuses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CompiledMCPServer } from '@switchyard/compiler';
import { SseUpstream } from '../../src/mcp/sse-upstream.js';
import { McpUpstreamError } from '../../src/mcp/upstream-errors.js';
import { createEgressGuard } from '../../src/transport/egress-guard.js';
import { UpstreamTransport } from '../../src/transport/upstream-transport.js';

const CLIENT_INFO = { name: 'switchyard-test', version: '0' };

interface Script {
  /** The `endpoint` event's data; default the server's own /message. */
  endpoint?: (origin: string) => string;
  /** What tools/list does: answer, answer with `bytes` of padding, or end the stream. */
  list?: 'answer' | 'huge' | 'close-once';
  /** How long initialize waits before its answer. */
  initDelayMs?: number;
}

interface Scripted {
  readonly url: string;
  readonly gets: number;
  readonly posts: Array<{ method: string }>;
  script: Script;
  close(): Promise<void>;
}

async function startScripted(): Promise<Scripted> {
  const streams: ServerResponse[] = [];
  const state = { gets: 0, closedOnce: false };
  const posts: Array<{ method: string }> = [];
  let origin = '';
  const scripted: Scripted = {
    url: '',
    get gets() {
      return state.gets;
    },
    posts,
    script: {},
    close: async () => {
      for (const stream of streams) stream.end();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  const send = (message: unknown): void => {
    const stream = streams.at(-1);
    stream?.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  };
  const http: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') {
      state.gets++;
      streams.push(res);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const endpoint = scripted.script.endpoint?.(origin) ?? '/message?sessionId=s1';
      res.write(`event: endpoint\ndata: ${endpoint}\n\n`);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id?: number;
        method: string;
        params?: { arguments?: { delayMs?: number; text?: string } };
      };
      posts.push({ method: message.method });
      res.writeHead(202).end('Accepted');
      const { id } = message;
      if (id === undefined) return;
      switch (message.method) {
        case 'initialize':
          setTimeout(
            () =>
              send({
                jsonrpc: '2.0',
                id,
                result: { protocolVersion: '2024-11-05', capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' } },
              }),
            scripted.script.initDelayMs ?? 0,
          );
          return;
        case 'tools/list': {
          const mode = scripted.script.list ?? 'answer';
          if (mode === 'close-once' && !state.closedOnce) {
            state.closedOnce = true;
            streams.at(-1)?.end();
            return;
          }
          const description = mode === 'huge' ? 'x'.repeat(8192) : 'a tool';
          send({ jsonrpc: '2.0', id, result: { tools: [{ name: 'a', description, inputSchema: { type: 'object' } }] } });
          return;
        }
        case 'tools/call': {
          const args = message.params?.arguments ?? {};
          if (scripted.script.list === 'close-once') {
            streams.at(-1)?.end();
            return;
          }
          // Answers in the order the delays say, not the order the requests came.
          setTimeout(() => send({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: args.text }] } }), args.delayMs ?? 0);
          return;
        }
        default:
          send({ jsonrpc: '2.0', id, error: { code: -32601, message: 'no' } });
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  Object.assign(scripted, { url: `${origin}/sse` });
  return scripted;
}

function server(url: string): CompiledMCPServer {
  return {
    id: 'default/legacy',
    namespace: 'default',
    name: 'legacy',
    generation: 1,
    prefix: 'legacy',
    transport: 'sse',
    url,
    headers: {},
    headerRefs: {},
    auth: { type: 'none' },
    toolFilter: { include: [], exclude: [] },
    timeouts: { connectMs: 1000, callMs: 5000 },
  };
}

async function failure(promise: Promise<unknown>): Promise<McpUpstreamError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof McpUpstreamError)) throw new Error(`expected an McpUpstreamError, got ${String(error)}`);
  return error;
}

describe('legacy SSE upstream client', () => {
  const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
  let upstream: Scripted;

  beforeAll(async () => {
    upstream = await startScripted();
  });
  afterAll(async () => {
    await upstream.close();
    await transport.close();
  });

  function client(limit = 4 * 1024 * 1024, via: UpstreamTransport = transport): SseUpstream {
    return new SseUpstream(server(upstream.url), { transport: via, maxResultBytes: limit, clientInfo: CLIENT_INFO });
  }

  it('matches answers to requests by id on one stream, whatever their order', async () => {
    upstream.script = {};
    const sse = client();
    const gets = upstream.gets;
    const [slow, fast] = await Promise.all([
      sse.request('tools/call', { name: 'a', arguments: { text: 'slow', delayMs: 200 } }),
      sse.request('tools/call', { name: 'a', arguments: { text: 'fast', delayMs: 0 } }),
    ]);
    expect(slow).toEqual({ result: { content: [{ type: 'text', text: 'slow' }] } });
    expect(fast).toEqual({ result: { content: [{ type: 'text', text: 'fast' }] } });
    expect(upstream.gets - gets).toBe(1);
    expect(sse.protocolVersion).toBe('2024-11-05');
  });

  it('a caller that leaves during the handshake does not fail the others waiting on it', async () => {
    upstream.script = { initDelayMs: 300 };
    const sse = client();
    const leaving = new AbortController();
    const first = sse.request('tools/list', {}, leaving.signal);
    const second = sse.request('tools/list', {});
    setTimeout(() => leaving.abort(new Error('caller left')), 50);
    await expect(first).rejects.toThrow(/caller left/);
    expect(await second).toMatchObject({ result: { tools: [{ name: 'a' }] } });
  });

  it('refuses an endpoint on another origin and sends it nothing', async () => {
    upstream.script = { endpoint: () => 'http://127.0.0.2:9/message' };
    const posts = upstream.posts.length;
    const error = await failure(client().request('tools/list', {}));
    expect(error.reason).toBe('protocol');
    expect(error.message).toMatch(/another origin/);
    expect(upstream.posts.length).toBe(posts);
  });

  it('refuses an event over --mcp-max-result-bytes', async () => {
    upstream.script = { list: 'huge' };
    const error = await failure(client(4096).request('tools/list', {}));
    expect(error.reason).toBe('too_large');
    expect(error.message).toMatch(/4096-byte limit \(--mcp-max-result-bytes\)/);
  });

  it('sends a listing again on a new stream when the stream ends, but never a tool call', async () => {
    upstream.script = { list: 'close-once' };
    const sse = client();
    const gets = upstream.gets;
    const listed = await sse.request('tools/list', {});
    expect(listed).toMatchObject({ result: { tools: [{ name: 'a' }] } });
    expect(upstream.gets - gets).toBe(2);
    const calls = upstream.posts.filter((post) => post.method === 'tools/call').length;
    const error = await failure(sse.request('tools/call', { name: 'a', arguments: {} }));
    expect(error.reason).toBe('unreachable');
    expect(upstream.posts.filter((post) => post.method === 'tools/call').length - calls).toBe(1);
  });

  it('goes through the egress guard', async () => {
    upstream.script = {};
    const guarded = new UpstreamTransport({ egressGuard: createEgressGuard(['127.0.0.0/8']) });
    try {
      const gets = upstream.gets;
      const error = await failure(client(4096, guarded).request('tools/list', {}));
      expect(error.reason).toBe('unreachable');
      expect(error.message).toMatch(/egress guard/);
      expect(upstream.gets).toBe(gets);
    } finally {
      await guarded.close();
    }
  });
});
