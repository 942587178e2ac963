// The gateway's client of upstream MCP servers, driven against real servers on loopback: OAuth
// client credentials (a token endpoint written here: one fetch, reused until shortly before it
// expires, fetched again after, and after the upstream refuses it), the egress guard, a session
// the upstream forgot, pagination of the aggregated list, and the signed session ids.
import { afterAll, describe, expect, it } from '@jest/globals';
import { hash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CompiledMCPServer } from '@switchyard/compiler';
import { McpGatewayServer, type McpCaller } from '../../src/mcp/mcp-server.js';
import { McpSessionSigner } from '../../src/mcp/session-token.js';
import { StreamableHttpUpstream } from '../../src/mcp/upstream-client.js';
import { McpUpstreamError } from '../../src/mcp/upstream-errors.js';
import { McpUpstreamPool } from '../../src/mcp/upstream-pool.js';
import { createEgressGuard } from '../../src/transport/egress-guard.js';
import { UpstreamTransport } from '../../src/transport/upstream-transport.js';
import { echoTool, startSdkUpstream, type RunningUpstream, type UpstreamTool } from './mcp-upstreams.js';

const CLIENT_INFO = { name: 'switchyard-test', version: '0' };

function server(url: string, extra: Partial<CompiledMCPServer> = {}): CompiledMCPServer {
  return {
    id: 'default/s',
    namespace: 'default',
    name: 's',
    generation: 1,
    prefix: 's',
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

/** A token endpoint counting its grants; each token is `token-<n>`, valid for `expiresIn` seconds. */
async function startTokenEndpoint(expiresIn: number): Promise<{ url: string; grants: string[]; close(): Promise<void> }> {
  const grants: string[] = [];
  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== 'gw' ||
        form.get('client_secret') !== 'client-secret'
      ) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      grants.push(form.get('scope') ?? '');
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: `token-${grants.length}`, token_type: 'Bearer', expires_in: expiresIn }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/token`,
    grants,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
}

describe('the upstream MCP client', () => {
  const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closers) await close();
    await transport.close();
  });

  it('oauth2ClientCredentials: one token until shortly before expiry, then a new one; a refused token is replaced', async () => {
    const tokens = await startTokenEndpoint(60);
    closers.push(tokens.close);
    // The upstream accepts whichever token the test names, by digest.
    let accepted = 'token-1';
    const seen: string[] = [];
    const upstream = await startSdkUpstream([echoTool('echo')], { stateful: false });
    closers.push(upstream.close);
    const proxy = createServer((req, res) => {
      const token = req.headers.authorization?.slice(7) ?? '';
      seen.push(token);
      if (token !== accepted) {
        res.writeHead(401).end();
        req.resume();
        return;
      }
      // Relay to the real upstream.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void fetch(upstream.url, { method: 'POST', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }).then(
          async (answer) => {
            res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
          },
        );
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => proxy.close(() => resolve())));

    let now = 1_000_000;
    const client = new StreamableHttpUpstream(
      server(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`, {
        auth: {
          type: 'oauth2ClientCredentials',
          tokenURL: tokens.url,
          clientId: 'gw',
          clientSecretRef: 's/k',
          clientSecret: 'client-secret',
          scopes: ['tools.read', 'tools.call'],
        },
      }),
      { transport, maxResultBytes: 1 << 20, clientInfo: CLIENT_INFO, nowMs: () => now },
    );
    const call = async (): Promise<unknown> => {
      const outcome = await client.request('tools/call', { name: 'echo', arguments: { text: 'x' } });
      return 'result' in outcome ? outcome.result.structuredContent : outcome.error;
    };
    expect(await call()).toEqual({ echoed: 'x', tool: 'echo' });
    expect(await call()).toEqual({ echoed: 'x', tool: 'echo' });
    expect(tokens.grants).toEqual(['tools.read tools.call']);

    // 60 s tokens are replaced 30 s before they expire.
    now += 31_000;
    accepted = 'token-2';
    expect(await call()).toEqual({ echoed: 'x', tool: 'echo' });
    expect(tokens.grants).toHaveLength(2);

    // The upstream stops accepting the token before it expires: the client fetches another and retries once.
    accepted = 'token-3';
    expect(await call()).toEqual({ echoed: 'x', tool: 'echo' });
    expect(tokens.grants).toHaveLength(3);
    expect(new Set(seen)).toEqual(new Set(['token-1', 'token-2', 'token-3']));
  });

  it('the egress guard refuses an upstream in --deny-upstream-cidrs, with the flag named and not the address', async () => {
    const upstream = await startSdkUpstream([echoTool('echo')], { stateful: false });
    closers.push(upstream.close);
    const guarded = new UpstreamTransport({ egressGuard: createEgressGuard(['127.0.0.0/8']) });
    closers.push(() => guarded.close());
    const client = new StreamableHttpUpstream(server(upstream.url), {
      transport: guarded,
      maxResultBytes: 1 << 20,
      clientInfo: CLIENT_INFO,
    });
    const failure = await client.request('tools/list', {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(McpUpstreamError);
    expect((failure as Error).message).toContain('--deny-upstream-cidrs');
    expect((failure as Error).message).not.toContain('127.0.0.1');
    expect(upstream.methods).toEqual([]);
  });

  it('a 2025-11-25 upstream that forgot the session (restart): the client initializes again and the call succeeds', async () => {
    let upstream: RunningUpstream = await startSdkUpstream([echoTool('echo')], { stateful: true });
    const port = Number(new URL(upstream.url).port);
    const client = new StreamableHttpUpstream(server(upstream.url), { transport, maxResultBytes: 1 << 20, clientInfo: CLIENT_INFO });
    expect('result' in (await client.request('tools/list', {}))).toBe(true);
    await upstream.close();
    // The same port, a new process's worth of state: no sessions.
    upstream = await startSdkUpstreamOn(port, [echoTool('echo')]);
    closers.push(upstream.close);
    // A listing may be sent again when the pooled connection died with the old process; a call is never repeated.
    expect('result' in (await client.request('tools/list', {}))).toBe(true);
    const outcome = await client.request('tools/call', { name: 'echo', arguments: { text: 'after restart' } });
    expect('result' in outcome && outcome.result.structuredContent).toEqual({ echoed: 'after restart', tool: 'echo' });
    expect(upstream.methods.filter((method) => method === 'initialize')).toHaveLength(1);
  });

  it('tools/list is paginated with an opaque cursor; a forged cursor is refused', async () => {
    const tools: UpstreamTool[] = Array.from({ length: 150 }, (_, index) => echoTool(`t${String(index).padStart(3, '0')}`));
    const upstream = await startSdkUpstream(tools, { stateful: false });
    closers.push(upstream.close);
    const gateway = new McpGatewayServer({
      upstreams: new McpUpstreamPool({ transport, maxResultBytes: 1 << 20, clientInfo: CLIENT_INFO }),
      sessions: McpSessionSigner.ephemeral(),
      admitToolCall: () => Promise.resolve(undefined),
      upstreamFailed: () => undefined,
      serverInfo: CLIENT_INFO,
      nowMs: Date.now,
    });
    const caller: McpCaller = { keyId: 'default/k', mcp: { allowedTools: ['s__*'] }, servers: [server(upstream.url)] };
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const list = async (cursor?: string) => {
      const answer = await gateway.handle(caller, {
        message: { kind: 'request', id: 1, method: 'tools/list', params: { _meta: meta, ...(cursor === undefined ? {} : { cursor }) } },
        sessionId: undefined,
        protocolHeader: '2026-07-28',
        signal: new AbortController().signal,
        recordToolCall: () => undefined,
      });
      return JSON.parse(answer.body as string) as {
        result?: { tools: Array<{ name: string }>; nextCursor?: string };
        error?: { code: number };
      };
    };
    const first = await list();
    expect(first.result?.tools).toHaveLength(100);
    expect(first.result?.nextCursor).toEqual(expect.any(String));
    const second = await list(first.result?.nextCursor);
    expect(second.result?.tools).toHaveLength(50);
    expect(second.result?.nextCursor).toBeUndefined();
    const names = [...(first.result?.tools ?? []), ...(second.result?.tools ?? [])].map((tool) => tool.name);
    expect(names).toEqual(tools.map((tool) => `s__${tool.definition.name}`));
    expect((await list('not-a-cursor')).error?.code).toBe(-32602);
  });
});

describe('signed session ids', () => {
  const signer = new McpSessionSigner(Buffer.alloc(32, 7), 60_000);

  it('carry the key, version and issue time, and verify only for that key, unaltered and unexpired', () => {
    const token = signer.issue('default/k', '2025-11-25', { sampling: {} }, 1_000);
    const check = signer.verify(token, 'default/k', 2_000);
    expect(check).toEqual({
      ok: true,
      session: {
        keyId: 'default/k',
        protocolVersion: '2025-11-25',
        capabilitiesDigest: hash('sha256', '{"sampling":{}}', 'hex'),
        urlElicitation: false,
        issuedAtMs: 1_000,
      },
    });
    // A client declaring URL-mode elicitation gets per-user OAuth sign-in links as -32042 errors (per-user-oauth.ts).
    const eliciting = signer.issue('default/k', '2025-11-25', { elicitation: { url: {} } }, 1_000);
    expect(signer.verify(eliciting, 'default/k', 2_000)).toMatchObject({ ok: true, session: { urlElicitation: true } });
    expect(signer.verify(token, 'default/other', 2_000)).toMatchObject({ ok: false, reason: 'session was issued to another key' });
    expect(signer.verify(token, 'default/k', 62_000)).toMatchObject({ ok: false, reason: expect.stringContaining('expired') });
    const [version, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ k: 'default/admin', p: '2025-11-25', c: '', t: 1_000 })).toString('base64url');
    expect(signer.verify(`${version}.${forged}.${signature}`, 'default/admin', 2_000)).toMatchObject({ ok: false });
    expect(signer.verify(`${version}.${payload}.${signature.slice(1)}x`, 'default/k', 2_000)).toMatchObject({ ok: false });
    expect(new McpSessionSigner(Buffer.alloc(32, 8)).verify(token, 'default/k', 2_000)).toMatchObject({ ok: false });
  });

  it('refuse a secret shorter than the minimum', () => {
    expect(() => new McpSessionSigner(Buffer.alloc(16))).toThrow(/at least 32 bytes/);
  });
});

/** An SDK upstream on a given port (the restart case). */
async function startSdkUpstreamOn(port: number, tools: UpstreamTool[]): Promise<RunningUpstream> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startSdkUpstream(tools, { stateful: true, port });
    } catch (error) {
      if (attempt > 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
