// What the per-user OAuth tests share: a protected upstream MCP server (the official SDK's) and
// API that answer which user a bearer token belongs to, a free port for a gateway whose callback
// URL must be known before it starts, and a browser driven over plain HTTP through the sign-in
// (consent page and its cookie, the authorization server's login form, the callback).
import { expect } from '@jest/globals';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { OAuthServer } from '../mocks/oauth-authorization-server.js';

export const START_LINK = /https?:\/\/127\.0\.0\.1:\d+\/mcp\/oauth\/start\?ticket=[A-Za-z0-9_-]+/;

/** The protected upstream: an SDK server per request whose `whoami` answers the bearer token's user; 401 without one. */
export interface ProtectedUpstream {
  url: string;
  /** Every bearer token that reached it. */
  tokens: string[];
  close(): Promise<void>;
}

export async function startProtectedUpstream(as: OAuthServer): Promise<ProtectedUpstream> {
  const tokens: string[] = [];
  const http: HttpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (token !== '') tokens.push(token);
      const user = as.userFor(token);
      if (user === undefined) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end('{"error":"invalid_token"}');
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const server = new Server({ name: 'protected', version: '1.0.0' }, { capabilities: { tools: {} } });
      server.setRequestHandler(ListToolsRequestSchema, () => ({
        tools: [{ name: 'whoami', description: 'Who is calling', inputSchema: { type: 'object' } }],
      }));
      server.setRequestHandler(CallToolRequestSchema, () => ({ content: [{ type: 'text', text: `user:${user}` }] }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString('utf8')));
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    tokens,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** An API behind the OpenAPI hosted tools: GET /v1/whoami answers the bearer token's user. */
export async function startProtectedApi(as: OAuthServer): Promise<{ origin: string; close(): Promise<void> }> {
  const http = createServer((req, res) => {
    const user = as.userFor((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (user === undefined) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_token"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function text(result: object): string {
  const [first] = ((result as { content?: unknown }).content ?? []) as Array<{ text?: string }>;
  return first?.text ?? '';
}

/** The login link in a tool error. */
export function loginLink(result: object): string {
  expect((result as { isError?: boolean }).isError).toBe(true);
  const link = START_LINK.exec(text(result))?.[0];
  if (link === undefined) throw new Error(`no login link in: ${text(result)}`);
  return link;
}

export function hiddenFields(html: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(
      match[1] as string,
      (match[2] as string).replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
    );
  return form;
}

export interface Browser {
  cookie: string | undefined;
}

async function get(url: string, browser: Browser): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: browser.cookie === undefined ? {} : { cookie: browser.cookie } });
}

export async function postForm(url: string, form: URLSearchParams, browser: Browser): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(browser.cookie === undefined ? {} : { cookie: browser.cookie }) },
    body: form.toString(),
  });
}

/**
 * Drives a sign-in as a browser would: the consent page (keeping its cookie), its form, the
 * authorization server's login form as `user`, and the callback, which `callbackBrowser` opens
 * (the same browser unless a test says otherwise). Returns the consent page and the callback's answer.
 */
export async function signIn(
  link: string,
  user: string,
  callbackBrowser?: Browser,
): Promise<{ consent: string; callback: Response; callbackText: string }> {
  const { consent, browser, callbackUrl } = await signInUpToCallback(link, user);
  const callback = await get(callbackUrl, callbackBrowser ?? browser);
  return { consent, callback, callbackText: await callback.text() };
}

/** The sign-in up to the callback URL (with its code and state), which is not opened. */
export async function signInUpToCallback(link: string, user: string): Promise<{ consent: string; browser: Browser; callbackUrl: string }> {
  const browser: Browser = { cookie: undefined };
  const consentPage = await get(link, browser);
  expect(consentPage.status).toBe(200);
  const setCookie = consentPage.headers.getSetCookie()[0] ?? '';
  expect(setCookie).toMatch(/^__Host-switchyard-mcp-oauth=[A-Za-z0-9_-]+; Path=\/; Secure; HttpOnly; SameSite=Lax/);
  browser.cookie = setCookie.split(';')[0];
  const consent = await consentPage.text();
  const started = await postForm(new URL('/mcp/oauth/start', link).toString(), hiddenFields(consent), browser);
  expect(started.status).toBe(303);
  const authorize = started.headers.get('location') ?? '';
  const loginForm = await get(authorize, { cookie: undefined });
  expect(loginForm.status).toBe(200);
  const fields = hiddenFields(await loginForm.text());
  fields.set('username', user);
  const loggedIn = await postForm(new URL('/authorize', authorize).toString(), fields, { cookie: undefined });
  expect(loggedIn.status).toBe(302);
  return { consent, browser, callbackUrl: loggedIn.headers.get('location') ?? '' };
}
