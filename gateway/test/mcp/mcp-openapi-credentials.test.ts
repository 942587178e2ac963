// Hosted tools from an OpenAPI document with the gateway's own OAuth client credentials, through a
// real gateway process and the official MCP SDK client: the token from the token endpoint goes
// with the call, a token the API stops accepting (revoked early) is replaced once and the call
// sent again, and with a static bearer token a 401 is simply the tool error naming it (the call is
// not repeated).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { API_VERSION, documents, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const KEY = testKey('oapicreds');
const CLIENT_SECRET = 'client-secret-0123456789';

interface Service {
  readonly origin: string;
  /** Tokens issued, in order. */
  readonly issued: string[];
  /** The Authorization header of every API request, in order. */
  readonly seen: string[];
  /** Tokens the API refuses from now on. */
  readonly revoked: Set<string>;
  close(): Promise<void>;
}

/** One loopback server playing both the token endpoint (/token) and the API (/v1/whoami). */
async function startService(): Promise<Service> {
  const issued: string[] = [];
  const seen: string[] = [];
  const revoked = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.url === '/token') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (form.get('client_secret') !== CLIENT_SECRET) return json(401, { error: 'invalid_client' });
        const token = `tok-${issued.length + 1}`;
        issued.push(token);
        return json(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
      }
      const authorization = req.headers.authorization ?? '';
      seen.push(authorization);
      const token = authorization.replace(/^Bearer /, '');
      if (!issued.includes(token) || revoked.has(token)) return json(401, { error: 'invalid_token' });
      json(200, { caller: 'gateway', token });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    issued,
    seen,
    revoked,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const DOCUMENT = JSON.stringify({
  openapi: '3.1.0',
  info: { title: 'Who', version: '1' },
  paths: { '/whoami': { get: { operationId: 'whoami', summary: 'Who is calling' } } },
});

function text(result: object): string {
  const [first] = ((result as { content?: unknown }).content ?? []) as Array<{ text?: string }>;
  return first?.text ?? '';
}

describe('hosted tools with the server credentials', () => {
  let service: Service;
  let gateway: GatewayProcess;
  let client: Client;

  beforeAll(async () => {
    service = await startService();
    gateway = await startGateway({
      manifests: {
        'who.yaml': documents(
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'who' },
            stringData: { clientSecret: CLIENT_SECRET, token: 'not-a-token' },
          },
          {
            apiVersion: API_VERSION,
            kind: 'MCPServer',
            metadata: { name: 'who' },
            spec: {
              openapi: { inline: DOCUMENT, baseURL: `${service.origin}/v1` },
              auth: {
                type: 'oauth2ClientCredentials',
                tokenURL: `${service.origin}/token`,
                clientId: 'switchyard',
                clientSecretRef: { name: 'who', key: 'clientSecret' },
              },
            },
          },
          {
            apiVersion: API_VERSION,
            kind: 'MCPServer',
            metadata: { name: 'static' },
            spec: {
              openapi: { inline: DOCUMENT, baseURL: `${service.origin}/v1` },
              auth: { type: 'bearer', secretRef: { name: 'who', key: 'token' } },
            },
          },
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'agent-key' }, stringData: { key: KEY } },
          {
            apiVersion: API_VERSION,
            kind: 'VirtualKey',
            metadata: { name: 'agent' },
            spec: { secretName: 'agent-key', mcp: { allowedTools: ['*'] } },
          },
        ),
      },
    });
    client = new Client({ name: 'openapi-credentials-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }),
    );
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
    await service?.close();
  });

  it('sends the client-credentials token, and replaces a refused one once', async () => {
    const first = await client.callTool({ name: 'who__whoami', arguments: {} });
    expect(first.structuredContent).toEqual({ caller: 'gateway', token: 'tok-1' });
    const again = await client.callTool({ name: 'who__whoami', arguments: {} });
    expect(again.structuredContent).toEqual({ caller: 'gateway', token: 'tok-1' });
    expect(service.issued).toEqual(['tok-1']); // cached

    service.revoked.add('tok-1');
    const seenBefore = service.seen.length;
    const renewed = await client.callTool({ name: 'who__whoami', arguments: {} });
    expect(renewed.isError).toBeFalsy();
    expect(renewed.structuredContent).toEqual({ caller: 'gateway', token: 'tok-2' });
    expect(service.seen.slice(seenBefore)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('reports a static bearer token the API refuses as the tool error naming the status, sent once', async () => {
    const seenBefore = service.seen.length;
    const refused = await client.callTool({ name: 'static__whoami', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toBe('the API answered HTTP 401: {"error":"invalid_token"}');
    expect(service.seen.slice(seenBefore)).toEqual(['Bearer not-a-token']);
  });
});
