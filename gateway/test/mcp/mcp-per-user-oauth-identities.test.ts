// Per-user OAuth within one virtual key: callers who authenticated with their own OIDC or
// ServiceAccount tokens (bound by the key's spec.subjects) are separate identities, each with its
// own sign-in and token, and the key's own secret is yet another. Driven in process through the
// gateway's MCP server, upstream pool and sign-in pages (served on a loopback port) against the
// local authorization server and a protected SDK upstream; the store is the in-memory one. Also
// the sealing of stored entries and the bounds of the in-memory store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { CompiledMCPServer } from '@switchyard/compiler';
import { McpGatewayServer, type McpCaller } from '../../src/mcp/mcp-server.js';
import { MemoryOAuthStore, OAuthSealer, SealedOAuthStore, type OAuthKeyValueStore } from '../../src/mcp/oauth-store.js';
import { PerUserOAuth, type McpCallerIdentity } from '../../src/mcp/per-user-oauth.js';
import { McpSessionSigner } from '../../src/mcp/session-token.js';
import { McpUpstreamPool } from '../../src/mcp/upstream-pool.js';
import { createEgressGuard } from '../../src/transport/egress-guard.js';
import { UpstreamTransport } from '../../src/transport/upstream-transport.js';
import { META_CLIENT_CAPABILITIES, META_PROTOCOL_VERSION } from '../../src/wire/mcp/index.js';
import { startOAuthServer, type OAuthServer } from '../mocks/oauth-authorization-server.js';
import { freePort, loginLink, signIn, startProtectedUpstream, text, type ProtectedUpstream } from './per-user-oauth-fixtures.js';

const ANN: McpCallerIdentity = { kind: 'OIDC', subject: 'u-ann', issuer: 'https://idp.example.com' };
const BEN: McpCallerIdentity = { kind: 'OIDC', subject: 'u-ben', issuer: 'https://idp.example.com' };
const BOT: McpCallerIdentity = { kind: 'ServiceAccount', subject: 'team/bot' };
const KEY_ITSELF: McpCallerIdentity = { kind: 'key', subject: 'team/shared' };

describe('per-user OAuth: identities within one key', () => {
  let as: OAuthServer;
  let upstream: ProtectedUpstream;
  let pages: Server;
  let mcp: McpGatewayServer;
  let server: CompiledMCPServer;

  beforeAll(async () => {
    const port = await freePort();
    const callbackUrl = new URL(`http://127.0.0.1:${port}/mcp/oauth/callback`);
    as = await startOAuthServer({ clientId: 'gw', clientSecret: 'gw-secret', redirectUris: [callbackUrl.toString()] });
    upstream = await startProtectedUpstream(as);
    server = {
      id: 'team/secure',
      namespace: 'team',
      name: 'secure',
      generation: 1,
      prefix: 'secure',
      transport: 'streamable-http',
      url: upstream.url,
      headers: {},
      headerRefs: {},
      auth: {
        type: 'oauth2PerUser',
        authorizationURL: as.authorizationURL,
        tokenURL: as.tokenURL,
        clientId: 'gw',
        clientSecretRef: 'team/oauth/secret',
        clientSecret: 'gw-secret',
        scopes: [],
      },
      toolFilter: { include: [], exclude: [] },
      timeouts: { connectMs: 5_000, callMs: 10_000 },
    };
    const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
    const sealer = OAuthSealer.ephemeral();
    const perUser = new PerUserOAuth({
      callbackUrl,
      tokens: new SealedOAuthStore(new MemoryOAuthStore(100), sealer),
      flows: new SealedOAuthStore(new MemoryOAuthStore(100), sealer),
      transport,
    });
    pages = createServer((req, res) => void perUser.serve(req, res, (id) => (id === server.id ? server : undefined)));
    await new Promise<void>((resolve) => pages.listen(port, '127.0.0.1', resolve));
    mcp = new McpGatewayServer({
      upstreams: new McpUpstreamPool({ transport, maxResultBytes: 1 << 20, clientInfo: { name: 'test', version: '1' }, perUser }),
      sessions: McpSessionSigner.ephemeral(),
      admitToolCall: () => Promise.resolve(undefined),
      upstreamFailed: () => undefined,
      serverInfo: { name: 'test', version: '1' },
      nowMs: Date.now,
    });
  }, 30_000);

  afterAll(async () => {
    pages?.closeAllConnections();
    await new Promise<void>((resolve) => (pages === undefined ? resolve() : pages.close(() => resolve())));
    await upstream?.close();
    await as?.close();
  });

  async function send(
    identity: McpCallerIdentity,
    method: string,
    capabilities: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const caller: McpCaller = { keyId: 'team/shared', mcp: { allowedTools: ['*'] }, servers: [server], identity };
    const params = method === 'tools/call' ? { name: 'secure__whoami', arguments: {} } : {};
    const answer = await mcp.handle(caller, {
      message: {
        kind: 'request',
        id: 1,
        method,
        params: { ...params, _meta: { [META_PROTOCOL_VERSION]: '2026-07-28', [META_CLIENT_CAPABILITIES]: capabilities } },
      },
      sessionId: undefined,
      protocolHeader: undefined,
      signal: AbortSignal.timeout(10_000),
      recordToolCall: () => undefined,
    });
    return JSON.parse(answer.body ?? '{}') as Record<string, unknown>;
  }

  async function whoami(identity: McpCallerIdentity): Promise<Record<string, unknown>> {
    return (await send(identity, 'tools/call')).result as Record<string, unknown>;
  }

  it('answers a 2026-07-28 client that declares URL elicitation in _meta with -32042, for calls and listings', async () => {
    const bob: McpCallerIdentity = { kind: 'OIDC', subject: 'u-bob', issuer: 'https://idp.example.com' };
    for (const method of ['tools/call', 'tools/list']) {
      const { error } = (await send(bob, method, { elicitation: { url: {} } })) as {
        error: { code: number; data: { elicitations: Array<{ mode: string; url: string }> } };
      };
      expect(error.code).toBe(-32042);
      expect(error.data.elicitations.map((elicitation) => elicitation.mode)).toEqual(['url']);
      expect(error.data.elicitations[0]?.url).toContain('/mcp/oauth/start?ticket=');
    }
    // Without the capability, the listing shows the sign_in tool instead.
    const { result } = (await send(bob, 'tools/list')) as { result: { tools: Array<{ name: string }> } };
    expect(result.tools.map((tool) => tool.name)).toEqual(['secure__sign_in']);
  });

  it("keeps each identity's token to itself: one user's sign-in never serves another user, a ServiceAccount or the key itself", async () => {
    const link = loginLink(await whoami(ANN));
    const { consent, callback } = await signIn(link, 'ann');
    expect(consent).toContain('OIDC u-ann (issuer https://idp.example.com)');
    expect(callback.status).toBe(200);
    expect(text(await whoami(ANN))).toBe('user:ann');

    const sent = upstream.tokens.length;
    for (const other of [BEN, BOT, KEY_ITSELF]) {
      const otherLink = loginLink(await whoami(other));
      expect(otherLink).not.toBe(link);
    }
    expect(upstream.tokens.length).toBe(sent); // nobody else's call carried ann's token upstream

    expect((await signIn(loginLink(await whoami(BEN)), 'ben')).callback.status).toBe(200);
    expect(text(await whoami(BEN))).toBe('user:ben');
    expect(text(await whoami(ANN))).toBe('user:ann');
    loginLink(await whoami(BOT));
  });

  it('keeps a token whose refresh fails because the token endpoint is down, and refreshes it once it is back', async () => {
    const cy: McpCallerIdentity = { kind: 'OIDC', subject: 'u-cy', issuer: 'https://idp.example.com' };
    as.setAccessTokenLifetime(20); // inside the 30 s refresh margin: every call refreshes
    try {
      expect((await signIn(loginLink(await whoami(cy)), 'cy')).callback.status).toBe(200);
      as.setTokenEndpointDown(true);
      const failed = await whoami(cy);
      expect(failed.isError).toBe(true);
      expect(text(failed)).toContain('the token endpoint refused the refresh token (HTTP 503)');
      expect(text(failed)).not.toContain('/mcp/oauth/start');
      as.setTokenEndpointDown(false);
      expect(text(await whoami(cy))).toBe('user:cy');
    } finally {
      as.setTokenEndpointDown(false);
      as.setAccessTokenLifetime(3600);
    }
  });
});

describe('per-user OAuth with its store down', () => {
  it('answers a tool error saying the token store is unavailable, and sends nothing upstream', async () => {
    const down: OAuthKeyValueStore = {
      get: () => Promise.reject(new Error('Redis is unreachable')),
      set: () => Promise.reject(new Error('Redis is unreachable')),
      take: () => Promise.reject(new Error('Redis is unreachable')),
      delete: () => Promise.reject(new Error('Redis is unreachable')),
    };
    const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
    const sealer = OAuthSealer.ephemeral();
    const perUser = new PerUserOAuth({
      callbackUrl: new URL('http://127.0.0.1:1/mcp/oauth/callback'),
      tokens: new SealedOAuthStore(down, sealer),
      flows: new SealedOAuthStore(down, sealer),
      transport,
    });
    const statuses: string[] = [];
    const mcp = new McpGatewayServer({
      upstreams: new McpUpstreamPool({ transport, maxResultBytes: 1 << 20, clientInfo: { name: 'test', version: '1' }, perUser }),
      sessions: McpSessionSigner.ephemeral(),
      admitToolCall: () => Promise.resolve(undefined),
      upstreamFailed: () => undefined,
      serverInfo: { name: 'test', version: '1' },
      nowMs: Date.now,
    });
    const server: CompiledMCPServer = {
      id: 'team/secure',
      namespace: 'team',
      name: 'secure',
      generation: 1,
      prefix: 'secure',
      transport: 'streamable-http',
      // Nothing listens here: the call must fail before any request is made.
      url: 'http://127.0.0.1:1/mcp',
      headers: {},
      headerRefs: {},
      auth: {
        type: 'oauth2PerUser',
        authorizationURL: 'http://127.0.0.1:1/authorize',
        tokenURL: 'http://127.0.0.1:1/token',
        clientId: 'gw',
        clientSecretRef: 'team/oauth/secret',
        clientSecret: 'gw-secret',
        scopes: [],
      },
      toolFilter: { include: [], exclude: [] },
      timeouts: { connectMs: 1_000, callMs: 5_000 },
    };
    const answer = await mcp.handle(
      { keyId: 'team/shared', mcp: { allowedTools: ['*'] }, servers: [server], identity: ANN },
      {
        message: {
          kind: 'request',
          id: 1,
          method: 'tools/call',
          params: {
            name: 'secure__whoami',
            arguments: {},
            _meta: { [META_PROTOCOL_VERSION]: '2026-07-28', [META_CLIENT_CAPABILITIES]: {} },
          },
        },
        sessionId: undefined,
        protocolHeader: undefined,
        signal: AbortSignal.timeout(10_000),
        recordToolCall: (record) => statuses.push(record.status),
      },
    );
    const { result } = JSON.parse(answer.body ?? '{}') as { result: Record<string, unknown> };
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('the per-user token store is unavailable: Redis is unreachable');
    expect(statuses).toEqual(['unavailable']);
  });
});

describe('per-user OAuth store', () => {
  it('opens a sealed entry only under its own name and with its own key', () => {
    const sealer = new OAuthSealer(Buffer.alloc(32, 7));
    const sealed = sealer.seal('token.a', 'secret-access-token');
    expect(sealed).not.toContain('secret-access-token');
    expect(sealer.open('token.a', sealed)).toBe('secret-access-token');
    expect(sealer.open('token.b', sealed)).toBeUndefined();
    expect(new OAuthSealer(Buffer.alloc(32, 8)).open('token.a', sealed)).toBeUndefined();
  });

  it('refuses a key shorter than 32 bytes, naming the flag', () => {
    expect(() => new OAuthSealer(Buffer.alloc(31))).toThrow('at least 32 bytes (--mcp-oauth-key-file)');
  });

  it('keeps at most its bound (least recently used dropped), expires entries, and takes an entry once', async () => {
    let now = 0;
    const store = new MemoryOAuthStore(2, () => now);
    await store.set('a', '1', 1_000);
    await store.set('b', '2', 1_000);
    expect(await store.get('a')).toBe('1'); // a is now the most recently used
    await store.set('c', '3', 1_000);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.take('a')).toBe('1');
    expect(await store.take('a')).toBeUndefined();
    now = 1_000;
    expect(await store.get('c')).toBeUndefined();
  });
});
