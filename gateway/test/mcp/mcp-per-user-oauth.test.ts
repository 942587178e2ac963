// Per-user OAuth (`auth.type: oauth2PerUser`) end to end: two real gateway processes sharing a
// real redis-server, a local OAuth authorization server (login form, PKCE-checking token
// endpoint, refresh), an official MCP SDK server that checks each bearer token and answers which
// user called, an OpenAPI-described API doing the same, and the official MCP SDK client against
// /mcp. The flow is driven over plain HTTP as a browser would (following each redirect by hand
// and carrying the gateway's cookie): the first call answers a login link on the gateway; the
// consent page names key, identity and server; the retried call runs as that user; another key
// gets its own link and never that token; a callback without the cookie of the browser that gave
// consent is refused; the token serves the next call on the other replica; tokens are refreshed
// before expiry and dropped on a 401; nothing in Redis is readable without the key file.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { API_VERSION, documents, openAIBackend, secretObject, testKey } from '../core/core-fixtures.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../governance/redis-server-process.js';
import { startOAuthServer, type OAuthServer } from '../mocks/oauth-authorization-server.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  freePort,
  hiddenFields,
  loginLink,
  postForm,
  signIn,
  START_LINK,
  startProtectedApi,
  startProtectedUpstream,
  text,
  type ProtectedUpstream,
} from './per-user-oauth-fixtures.js';

const CLIENT_ID = 'switchyard-gateway';
const CLIENT_SECRET = 'per-user-client-secret-0123456789';
const KEYS = {
  alice: testKey('peruseralice'),
  bob: testKey('peruserbob'),
  carol: testKey('perusercarol'),
  erin: testKey('perusererin'),
  frank: testKey('perusefrank'),
};
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

const API_DOCUMENT = JSON.stringify({
  openapi: '3.1.0',
  info: { title: 'Who', version: '1' },
  paths: { '/whoami': { get: { operationId: 'whoami', summary: 'Who is calling' } } },
});

function perUserAuth(as: OAuthServer): Record<string, unknown> {
  return {
    type: 'oauth2PerUser',
    authorizationURL: as.authorizationURL,
    tokenURL: as.tokenURL,
    clientId: CLIENT_ID,
    clientSecretRef: { name: 'oauth-client', key: 'secret' },
    scopes: ['read:user'],
  };
}

function keyObjects(name: string, plaintext: string): unknown[] {
  return [
    secretObject(`${name}-key`, { key: plaintext }),
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name, namespace: 'default' },
      spec: { secretName: `${name}-key`, mcp: { allowedTools: ['*'] } },
    },
  ];
}

async function mcpClient(gateway: GatewayProcess, key: string, options: { urlElicitation?: boolean } = {}): Promise<Client> {
  const client = new Client(
    { name: 'per-user-oauth-test', version: '1.0.0' },
    options.urlElicitation === true ? { capabilities: { elicitation: { url: {} } } } : {},
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
  );
  return client;
}

describeWithRedis('MCP per-user OAuth (oauth2PerUser)', () => {
  let redis: RedisServer;
  let as: OAuthServer;
  let upstream: ProtectedUpstream;
  let api: { origin: string; close(): Promise<void> };
  let model: OpenAIMockServer;
  let keyDir: string;
  let a: GatewayProcess;
  let b: GatewayProcess;
  const clients: Client[] = [];
  const client = async (gateway: GatewayProcess, key: string, options?: { urlElicitation?: boolean }): Promise<Client> => {
    const created = await mcpClient(gateway, key, options);
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    const [portA, portB] = [await freePort(), await freePort()];
    const callbackA = `http://127.0.0.1:${portA}/mcp/oauth/callback`;
    const callbackB = `http://127.0.0.1:${portB}/mcp/oauth/callback`;
    as = await startOAuthServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [callbackA, callbackB] });
    upstream = await startProtectedUpstream(as);
    api = await startProtectedApi(as);
    model = await startOpenAIMockServer();
    keyDir = await mkdtemp(join(tmpdir(), 'switchyard-oauth-key-'));
    const keyFile = join(keyDir, 'key');
    await writeFile(keyFile, randomBytes(48).toString('base64'));
    const manifests = {
      'all.yaml': documents(
        secretObject('oauth-client', { secret: CLIENT_SECRET }),
        secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
        {
          apiVersion: API_VERSION,
          kind: 'MCPServer',
          metadata: { name: 'secure', namespace: 'default' },
          spec: { url: upstream.url, auth: perUserAuth(as) },
        },
        {
          apiVersion: API_VERSION,
          kind: 'MCPServer',
          metadata: { name: 'api', namespace: 'default' },
          spec: { openapi: { inline: API_DOCUMENT, baseURL: `${api.origin}/v1` }, auth: perUserAuth(as) },
        },
        {
          apiVersion: API_VERSION,
          kind: 'ModelRoute',
          metadata: { name: 'assistant', namespace: 'default' },
          spec: {
            model: 'assistant',
            backends: [openAIBackend('main', model.url)],
            retry: { attempts: 1 },
            mcp: { servers: ['secure'], maxRounds: 2 },
          },
        },
        ...Object.entries(KEYS).flatMap(([name, key]) => keyObjects(name, key)),
      ),
    };
    const common = ['--redis-url', redis.url, '--redis-timeout', '500ms', '--mcp-oauth-key-file', keyFile];
    [a, b] = await Promise.all([
      startGateway({ manifests, args: ['--port', String(portA), '--mcp-oauth-callback-url', callbackA, ...common] }),
      startGateway({ manifests, args: ['--port', String(portB), '--mcp-oauth-callback-url', callbackB, ...common] }),
    ]);
  }, 60_000);

  afterAll(async () => {
    for (const created of clients) await created.close().catch(() => undefined);
    await a?.stop();
    await b?.stop();
    await upstream?.close();
    await api?.close();
    await model?.close();
    await as?.close();
    await redis?.stop();
    if (keyDir !== undefined) await rm(keyDir, { recursive: true, force: true });
  });

  it('answers a call without a token with a one-time login link on the gateway, and lists a sign_in tool in place of the server tools', async () => {
    const alice = await client(a, KEYS.alice);
    const { tools } = await alice.listTools();
    // The MCP server can list only with the user's token; hosted tools list from their document.
    expect(tools.map((tool) => tool.name)).toEqual(['api__whoami', 'secure__sign_in']);
    const link = loginLink(await alice.callTool({ name: 'secure__whoami', arguments: {} }));
    expect(link.startsWith(`${a.url}/mcp/oauth/start?ticket=`)).toBe(true);
    expect(upstream.tokens).toEqual([]);
  });

  it('signs alice in through the consent page and the authorization server; the retried call runs as alice', async () => {
    const alice = await client(a, KEYS.alice);
    const link = loginLink(await alice.callTool({ name: 'secure__whoami', arguments: {} }));
    const { consent, callback, callbackText } = await signIn(link, 'alice');
    // The consent page names the key, the identity and the MCPServer before anything is redirected.
    expect(consent).toContain('default/alice');
    expect(consent).toContain('default/secure');
    expect(consent).toContain(as.origin);
    expect(callback.status).toBe(200);
    expect(callbackText).toContain('Signed in');
    expect(as.grants).toContain('authorization_code');
    // The token is asked for that MCP server (RFC 8707 resource indicator, as the MCP authorization spec requires).
    expect(as.resources.at(-1)).toBe(upstream.url);

    const result = await alice.callTool({ name: 'secure__whoami', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe('user:alice');
    expect((await alice.listTools()).tools.map((tool) => tool.name)).toContain('secure__whoami');

    // The link was consumed: opening it again shows no consent page.
    const reused = await fetch(link);
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('unknown, already used or expired');
  });

  it('serves the next call of the same key on the other replica with the token kept in Redis, sealed', async () => {
    const alice = await client(b, KEYS.alice);
    const result = await alice.callTool({ name: 'secure__whoami', arguments: {} });
    expect(text(result)).toBe('user:alice');
    // Encrypted at rest: no token the upstream ever saw appears in any stored value.
    const reader = new Redis(redis.url);
    try {
      const names = await reader.keys('switchyard:mcp-oauth:*');
      expect(names.length).toBeGreaterThan(0);
      const values = await Promise.all(names.map((name) => reader.get(name)));
      for (const value of values) {
        expect(value).toMatch(/^v1\./);
        for (const token of upstream.tokens) expect(value).not.toContain(token);
      }
    } finally {
      reader.disconnect();
    }
  });

  it("gives another key its own login link and never alice's token; a callback in another browser is refused", async () => {
    const before = upstream.tokens.length;
    const bob = await client(a, KEYS.bob);
    const link = loginLink(await bob.callTool({ name: 'secure__whoami', arguments: {} }));
    expect(upstream.tokens.length).toBe(before); // nothing was sent upstream for bob

    // The whole flow, but the callback (code and state) opened in a browser without the consent cookie.
    const stranger = await signIn(link, 'mallory', { cookie: undefined });
    expect(stranger.callback.status).toBe(400);
    expect(stranger.callbackText).toContain('not started in this browser');
    loginLink(await bob.callTool({ name: 'secure__whoami', arguments: {} }));

    // Consent posted without the page's cookie is refused too.
    const fresh = loginLink(await bob.callTool({ name: 'secure__whoami', arguments: {} }));
    const page = await fetch(fresh);
    const refused = await postForm(new URL('/mcp/oauth/start', fresh).toString(), hiddenFields(await page.text()), { cookie: undefined });
    expect(refused.status).toBe(400);

    const own = loginLink(await bob.callTool({ name: 'secure__whoami', arguments: {} }));
    expect((await signIn(own, 'bob')).callback.status).toBe(200);
    expect(text(await bob.callTool({ name: 'secure__whoami', arguments: {} }))).toBe('user:bob');
    const alice = await client(a, KEYS.alice);
    expect(text(await alice.callTool({ name: 'secure__whoami', arguments: {} }))).toBe('user:alice');
  });

  it('sends clients that declare URL elicitation a URLElicitationRequiredError (-32042) with the link', async () => {
    const erin = await client(a, KEYS.erin, { urlElicitation: true });
    const caught = await erin.callTool({ name: 'secure__whoami', arguments: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(caught).toBeInstanceOf(McpError);
    const error = caught as McpError;
    expect(error.code).toBe(-32042);
    const elicitations = (error.data as { elicitations: Array<{ mode: string; url: string; elicitationId: string }> }).elicitations;
    expect(elicitations).toHaveLength(1);
    expect(elicitations[0]?.mode).toBe('url');
    expect(elicitations[0]?.url).toMatch(START_LINK);
    expect((await signIn(elicitations[0]?.url ?? '', 'erin')).callback.status).toBe(200);
    expect(text(await erin.callTool({ name: 'secure__whoami', arguments: {} }))).toBe('user:erin');
  });

  it('acts as the user on OpenAPI hosted tools as well', async () => {
    const alice = await client(a, KEYS.alice);
    const link = loginLink(await alice.callTool({ name: 'api__whoami', arguments: {} }));
    expect((await signIn(link, 'alice-api')).callback.status).toBe(200);
    const result = await alice.callTool({ name: 'api__whoami', arguments: {} });
    expect(result.structuredContent).toEqual({ user: 'alice-api' });
    expect(as.resources.at(-1)).toBe(''); // an API is not an MCP server: no resource indicator
  });

  it('gives the model of the hosted-tools loop the login link as the tool result', async () => {
    const before = model.chatRequests.length;
    model.script(
      { toolCalls: [{ id: 'call_1', name: 'secure__sign_in', arguments: '{}' }], finishReason: 'tool_calls' },
      { content: 'Please sign in.' },
    );
    const openai = new OpenAI({ baseURL: `${a.url}/v1`, apiKey: KEYS.frank, maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: 'who am I?' }] });
    expect(completion.choices[0]?.message.content).toBe('Please sign in.');
    const offered = (model.chatRequests[before]?.tools ?? []) as Array<{ function: { name: string } }>;
    expect(offered.map((tool) => tool.function.name)).toEqual(['secure__sign_in']);
    const second = model.chatRequests.at(-1) as { messages: Array<{ role: string; content: unknown }> };
    const toolMessage = second.messages.find((message) => message.role === 'tool');
    expect(JSON.stringify(toolMessage?.content)).toMatch(START_LINK);
  });

  it('refreshes a token about to expire with the refresh token', async () => {
    as.setAccessTokenLifetime(20); // within the 30 s refresh margin: the next call refreshes
    const carol = await client(a, KEYS.carol);
    const link = loginLink(await carol.callTool({ name: 'secure__whoami', arguments: {} }));
    expect((await signIn(link, 'carol')).callback.status).toBe(200);
    as.setAccessTokenLifetime(3600);
    const refreshes = as.grants.filter((grant) => grant === 'refresh_token').length;
    expect(text(await carol.callTool({ name: 'secure__whoami', arguments: {} }))).toBe('user:carol');
    expect(as.grants.filter((grant) => grant === 'refresh_token').length).toBe(refreshes + 1);
  });

  it('drops a token the upstream refuses (401) and asks the user to sign in again', async () => {
    as.revokeAll();
    const alice = await client(b, KEYS.alice);
    loginLink(await alice.callTool({ name: 'secure__whoami', arguments: {} }));
    const other = await client(a, KEYS.alice);
    loginLink(await other.callTool({ name: 'secure__whoami', arguments: {} }));
  });
});
