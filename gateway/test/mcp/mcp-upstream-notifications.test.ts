// What the gateway's upstream clients hear besides answers, for every transport that can announce
// changes: list changes to watchers (a 2025-11-25 streamable HTTP upstream's GET stream, a
// 2026-07-28 upstream's `subscriptions/listen` stream, the legacy SSE stream, a stdio child's
// stdout) and the progress of one request, by its token, on the transports that share one
// channel between requests. The upstreams are the official SDK server on its own transports
// (mcp-notify-upstream.ts), except the 2026-07-28 one, which the SDK does not speak.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { CompiledMCPServer } from '@switchyard/compiler';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { SseUpstream } from '../../src/mcp/sse-upstream.js';
import { StdioUpstream } from '../../src/mcp/stdio-upstream.js';
import { StreamableHttpUpstream, type McpUpstream } from '../../src/mcp/upstream-client.js';
import type { ListKind, UpstreamNotification } from '../../src/mcp/upstream-messages.js';
import { createEgressGuard } from '../../src/transport/egress-guard.js';
import { UpstreamTransport } from '../../src/transport/upstream-transport.js';
import { eventually } from '../support/eventually.js';
import { buildNotifyingServer, initialTools, startNotifyingUpstream, type NotifyingUpstream } from './mcp-notify-upstream.js';

const CLIENT_INFO = { name: 'switchyard-test', version: '0' };
const STDIO_FIXTURE = fileURLToPath(new URL('./stdio-notify-fixture.js', import.meta.url));

function compiled(transport: CompiledMCPServer['transport'], where: { url?: string; command?: string[] }): CompiledMCPServer {
  return {
    id: `default/${transport}`,
    namespace: 'default',
    name: transport,
    generation: 1,
    prefix: 'up',
    transport,
    ...where,
    headers: {},
    headerRefs: {},
    auth: { type: 'none' },
    toolFilter: { include: [], exclude: [] },
    timeouts: { connectMs: 2000, callMs: 10_000 },
  };
}

/** The official SDK server on its legacy HTTP+SSE transport: GET /sse opens a session, POST /message?sessionId= feeds it. */
async function startLegacySse(): Promise<{ url: string; close(): Promise<void> }> {
  const sessions = new Map<string, SSEServerTransport>();
  const http: HttpServer = createServer((req, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/sse') {
        const transport = new SSEServerTransport('/message', res);
        sessions.set(transport.sessionId, transport);
        await buildNotifyingServer(initialTools(), []).connect(transport);
        return;
      }
      const transport = sessions.get(url.searchParams.get('sessionId') ?? '');
      if (req.method === 'POST' && transport !== undefined) return transport.handlePostMessage(req, res);
      res.writeHead(404).end();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/sse`,
    close() {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * A 2026-07-28 server: `server/discover`, `subscriptions/listen` (acknowledged, then held open),
 * and a tools/call `announce` that sends tools/list_changed on every open subscription.
 */
async function startStatelessListener(): Promise<{ url: string; listens: () => number; close(): Promise<void> }> {
  const open = new Map<ServerResponse, unknown>();
  let listens = 0;
  const http = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: unknown; method: string };
      const answer = (result: Record<string, unknown>): void => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }));
      };
      if (body.method === 'server/discover') return answer({ resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: {} });
      if (body.method === 'subscriptions/listen') {
        listens += 1;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const meta = { 'io.modelcontextprotocol/subscriptionId': body.id };
        res.write(
          `data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { notifications: { toolsListChanged: true }, _meta: meta } })}\n\n`,
        );
        open.set(res, body.id);
        res.on('close', () => open.delete(res));
        return;
      }
      for (const [stream, id] of open)
        stream.write(
          `data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': id } } })}\n\n`,
        );
      answer({ resultType: 'complete', content: [{ type: 'text', text: 'announced' }] });
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    listens: () => listens,
    close() {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(() => resolve()));
    },
  };
}

describe('upstream notifications', () => {
  const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
  const options = { transport, maxResultBytes: 4 * 1024 * 1024, clientInfo: CLIENT_INFO };
  const closers: Array<() => Promise<void> | void> = [];
  let streamable: NotifyingUpstream;

  beforeAll(async () => {
    streamable = await startNotifyingUpstream();
    closers.push(() => streamable.close());
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await transport.close();
  });

  /** Watches `upstream`, runs `announce`, and resolves with the lists the watcher heard of. */
  async function heardAfterAnnounce(upstream: McpUpstream, ready: () => Promise<boolean>): Promise<ListKind[]> {
    const heard: ListKind[] = [];
    const stop = upstream.watch?.((kind) => heard.push(kind));
    if (stop === undefined) throw new Error('this upstream cannot be watched');
    closers.push(stop);
    await eventually(ready);
    await upstream.request('tools/call', { name: 'announce', arguments: {} });
    await eventually(async () => heard.length > 0);
    stop();
    return heard;
  }

  it("hears a 2025-11-25 streamable HTTP upstream's list change on the session's GET stream", async () => {
    const client = new StreamableHttpUpstream(compiled('streamable-http', { url: streamable.url }), options);
    const before = streamable.streamsOpened();
    expect(await heardAfterAnnounce(client, async () => streamable.streamsOpened() > before)).toEqual(['tools']);
  });

  it("hears a 2026-07-28 upstream's list change on a subscriptions/listen stream", async () => {
    const listener = await startStatelessListener();
    closers.push(() => listener.close());
    const client = new StreamableHttpUpstream(compiled('streamable-http', { url: listener.url }), options);
    expect(await heardAfterAnnounce(client, async () => listener.listens() > 0)).toEqual(['tools']);
    expect(client.protocolVersion).toBe('2026-07-28');
  });

  it('hears a legacy SSE upstream on its stream, and relays a call its progress by token', async () => {
    const legacy = await startLegacySse();
    closers.push(() => legacy.close());
    const client = new SseUpstream(compiled('sse', { url: legacy.url }), options);
    expect(await heardAfterAnnounce(client, async () => client.protocolVersion !== undefined)).toEqual(['tools']);
    const progress: UpstreamNotification[] = [];
    const outcome = await client.request('tools/call', { name: 'slow', _meta: { progressToken: 'tok-1' } }, undefined, (n) =>
      progress.push(n),
    );
    expect(outcome).toEqual({ result: { content: [{ type: 'text', text: 'done' }] } });
    expect(progress.map((n) => [n.method, n.params.progressToken, n.params.progress])).toEqual([
      ['notifications/progress', 'tok-1', 1],
      ['notifications/progress', 'tok-1', 2],
    ]);
  });

  it("hears a stdio child's list change on its stdout, and relays a call its progress by token", async () => {
    const client = new StdioUpstream(compiled('stdio', { command: [process.execPath, STDIO_FIXTURE] }), options);
    closers.push(() => client.close());
    // The child starts with the first request; watching alone does not start it.
    await client.request('tools/list', {});
    expect(await heardAfterAnnounce(client, async () => true)).toEqual(['tools']);
    const progress: UpstreamNotification[] = [];
    await client.request('tools/call', { name: 'slow', _meta: { progressToken: 7 } }, undefined, (n) => progress.push(n));
    expect(progress.map((n) => [n.params.progressToken, n.params.progress, n.params.message])).toEqual([
      [7, 1, 'step 1'],
      [7, 2, 'step 2'],
    ]);
  });
});
