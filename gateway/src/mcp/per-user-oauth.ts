// Per-user OAuth to upstream MCP servers and APIs (`auth.type: oauth2PerUser`, docs/mcp.md,
// "Per-user OAuth"): the gateway runs the OAuth 2.0 authorization-code flow with PKCE (RFC 6749
// section 4.1, RFC 7636 S256) for the calling identity, and then calls the server with that
// identity's own token, never another's.
//
// The flow, and what each step stops:
// 1. A call without a token gets a login URL on the gateway (`/mcp/oauth/start?ticket=...`), not
//    on the authorization server: the ticket is random, single-use, short-lived, and names the
//    key, identity and MCPServer it was issued for (so a link cannot be re-targeted).
// 2. Opening it shows a consent page naming the key, identity, MCPServer and authorization
//    server, and sets a `__Host-` cookie (Secure, HttpOnly, SameSite=Lax, no Domain) in that
//    browser. Continuing is a POST carrying the ticket and a digest of that cookie (double-submit:
//    another site cannot forge it), which consumes the ticket and only then redirects to the
//    authorization server with a fresh `state` and PKCE challenge.
// 3. The callback is refused unless `state` is known, unused, unexpired and bound to the cookie of
//    the browser that gave consent: a code injected into another browser (login CSRF) or a state
//    replayed does nothing. The redirect URI is the one --mcp-oauth-callback-url fixes, never
//    taken from a request. The code is redeemed with the PKCE verifier, which never left the
//    gateway's store.
// Tokens are sealed (oauth-store.ts) under a name derived from the server, its authorization
// server and client, and the calling identity; refreshed before they expire; dropped when the
// upstream answers 401, after which the identity is asked to sign in again.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledMCPServer, Logger } from '@switchyard/compiler';
import type { UpstreamTransport } from '../transport/upstream-transport.js';
import { requestToken, TOKEN_REFRESH_MARGIN_MS, type UserTokenSource } from './client-credentials.js';
import type { SealedOAuthStore } from './oauth-store.js';
import { McpUpstreamError } from './upstream-errors.js';

/** The local path of the consent page; the login URL is the callback URL's origin plus this. */
export const MCP_OAUTH_START_PATH = '/mcp/oauth/start';
/** The local path of the callback; --mcp-oauth-callback-url must end with it. */
export const MCP_OAUTH_CALLBACK_PATH = '/mcp/oauth/callback';
/** How long a login URL (and then the started flow) stays usable. */
export const MCP_OAUTH_FLOW_TTL_MS = 10 * 60_000;
/** How long a stored token pair is kept after it was last written (the refresh token's life is the server's business). */
export const MCP_OAUTH_TOKEN_TTL_MS = 30 * 24 * 60 * 60_000;
/** Per-process bound on stored token pairs without Redis (--mcp-oauth-max-tokens). */
export const DEFAULT_MCP_OAUTH_MAX_TOKENS = 10_000;
/** Per-process bound on login tickets and pending flows without Redis. */
export const MCP_OAUTH_MAX_FLOWS = 10_000;
/** Largest consent form body read. */
const MAX_FORM_BYTES = 8 * 1024;
const COOKIE = '__Host-switchyard-mcp-oauth';

/** Who is calling, as far as tokens are concerned: the key, and within it a token's subject. */
export interface McpCallerIdentity {
  readonly kind: string;
  readonly subject: string;
  readonly issuer?: string | undefined;
}

export interface McpPrincipal {
  readonly keyId: string;
  /** Absent or kind `key`: the key's own secret; otherwise the ServiceAccount or OIDC subject the key bound. */
  readonly identity?: McpCallerIdentity | undefined;
}

/** The calling identity has no token for the server: the login URL it must open. */
export class McpLoginRequiredError extends McpUpstreamError {
  constructor(
    readonly serverId: string,
    readonly loginUrl: string,
    readonly elicitationId: string,
  ) {
    super(`sign-in required: MCP server ${serverId} acts as each user (per-user OAuth) and has no token for this caller`, 'auth');
    this.name = 'McpLoginRequiredError';
  }
}

/** What --mcp-oauth-callback-url must be: absolute, https (http only on loopback, for development), path /mcp/oauth/callback. */
export function parseOAuthCallbackUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`must be an absolute URL, got "${text}"`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error('must be https (http only for localhost): the sign-in cookie is Secure');
  if (url.pathname !== MCP_OAUTH_CALLBACK_PATH || url.search !== '' || url.hash !== '' || url.username !== '')
    throw new Error(`must be <the gateway's public origin>${MCP_OAUTH_CALLBACK_PATH}, got "${text}"`);
  return url;
}

interface StoredTokens {
  /** access token, refresh token, expiry (epoch ms) */
  a: string;
  r?: string;
  e: number;
}

interface Ticket {
  s: string;
  k: string;
  i?: McpCallerIdentity | undefined;
}

interface Flow extends Ticket {
  /** PKCE verifier */
  v: string;
  /** SHA-256 of the browser's cookie */
  b: string;
}

export interface PerUserOAuthOptions {
  callbackUrl: URL;
  tokens: SealedOAuthStore;
  flows: SealedOAuthStore;
  transport: UpstreamTransport;
  logger?: Logger;
  nowMs?: () => number;
}

export class PerUserOAuth {
  private readonly nowMs: () => number;
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(private readonly options: PerUserOAuthOptions) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** The token source of `principal` for `server`. */
  source(server: CompiledMCPServer, principal: McpPrincipal): UserTokenSource {
    let dropping: Promise<void> | undefined;
    return {
      token: async () => {
        await dropping;
        try {
          return await this.token(server, principal);
        } catch (error) {
          if (error instanceof McpUpstreamError) throw error;
          // The shared store (Redis) could not answer: the call fails as unavailable, it never goes out without the token.
          throw new McpUpstreamError(
            `the per-user token store is unavailable: ${error instanceof Error ? error.message : String(error)}`,
            'unreachable',
            { cause: error },
          );
        }
      },
      refused: () => {
        dropping = this.options.tokens.delete(tokenName(server, principal)).catch(() => undefined);
      },
    };
  }

  private async token(server: CompiledMCPServer, principal: McpPrincipal): Promise<string> {
    const name = tokenName(server, principal);
    const stored = await this.options.tokens.get<StoredTokens>(name);
    if (stored === undefined) throw await this.loginRequired(server, principal);
    if (this.nowMs() < stored.e - TOKEN_REFRESH_MARGIN_MS) return stored.a;
    if (stored.r === undefined) {
      await this.options.tokens.delete(name);
      throw await this.loginRequired(server, principal);
    }
    // Concurrent calls of one identity share one refresh (a rotating refresh token is good once).
    let refresh = this.refreshing.get(name);
    if (refresh === undefined) {
      refresh = this.refresh(server, principal, name, stored.r).finally(() => this.refreshing.delete(name));
      this.refreshing.set(name, refresh);
    }
    return refresh;
  }

  private async refresh(server: CompiledMCPServer, principal: McpPrincipal, name: string, refreshToken: string): Promise<string> {
    const auth = perUserAuth(server);
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
    });
    const resource = resourceOf(server);
    if (resource !== undefined) form.set('resource', resource);
    try {
      const answer = await requestToken(this.options.transport, auth.tokenURL, form, server.timeouts, 'the refresh token');
      await this.store(name, { a: answer.accessToken, r: answer.refreshToken ?? refreshToken, e: this.nowMs() + answer.lifetimeMs });
      return answer.accessToken;
    } catch (error) {
      // A token endpoint that is down or failing keeps the tokens: the call fails, the next one tries again.
      if (!(error instanceof McpUpstreamError) || error.reason !== 'auth') throw error;
      // A refused refresh token (revoked, expired) means a new sign-in; the reason goes to the log only.
      this.options.logger?.info('MCP per-user token refresh failed; the caller is asked to sign in again', {
        server: server.id,
        key: principal.keyId,
        error: error.message,
      });
      await this.options.tokens.delete(name);
      throw await this.loginRequired(server, principal);
    }
  }

  private store(name: string, tokens: StoredTokens): Promise<void> {
    return this.options.tokens.set(name, tokens, MCP_OAUTH_TOKEN_TTL_MS);
  }

  /** A new single-use login ticket for `principal` on `server`, as the error callers see. */
  async loginRequired(server: CompiledMCPServer, principal: McpPrincipal): Promise<McpLoginRequiredError> {
    const ticket = randomBytes(32).toString('base64url');
    const value: Ticket = { s: server.id, k: principal.keyId, i: personOf(principal) };
    await this.options.flows.set(`ticket.${ticket}`, value, MCP_OAUTH_FLOW_TTL_MS);
    const url = new URL(MCP_OAUTH_START_PATH, this.options.callbackUrl);
    url.searchParams.set('ticket', ticket);
    return new McpLoginRequiredError(server.id, url.toString(), randomUUID());
  }

  /** Serves the consent page and the callback; `find` looks an MCPServer up by id in the serving table. */
  async serve(req: IncomingMessage, res: ServerResponse, find: (id: string) => CompiledMCPServer | undefined): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const method = req.method ?? 'GET';
    try {
      if (url.pathname === MCP_OAUTH_START_PATH && method === 'GET') return await this.consentPage(res, url, find);
      if (url.pathname === MCP_OAUTH_START_PATH && method === 'POST') return await this.startFlow(req, res, find);
      if (url.pathname === MCP_OAUTH_CALLBACK_PATH && method === 'GET') return await this.callback(req, res, url, find);
      page(res, 404, 'Not found', '<p>There is no such page.</p>');
    } catch (error) {
      this.options.logger?.warn('MCP sign-in page failed', {
        path: url.pathname,
        error: error instanceof Error ? error.message : String(error),
      });
      page(
        res,
        502,
        'Sign-in failed',
        `<p>${html(error instanceof McpUpstreamError ? error.message : 'the sign-in could not be completed')}</p>`,
      );
    }
  }

  private async consentPage(res: ServerResponse, url: URL, find: (id: string) => CompiledMCPServer | undefined): Promise<void> {
    const ticketId = url.searchParams.get('ticket') ?? '';
    // Looked at, not consumed: link previews and prefetchers must not burn it.
    const ticket = ticketId === '' ? undefined : await this.options.flows.get<Ticket>(`ticket.${ticketId}`);
    const server = ticket === undefined ? undefined : find(ticket.s);
    if (ticket === undefined || server === undefined || server.auth.type !== 'oauth2PerUser')
      return page(res, 400, 'Link not valid', `<p>${html(EXPIRED)}</p>`);
    const browser = randomBytes(32).toString('base64url');
    const authorizationServer = new URL(server.auth.authorizationURL);
    const who =
      ticket.i === undefined
        ? 'the key itself'
        : `${ticket.i.kind} ${ticket.i.subject}${ticket.i.issuer ? ` (issuer ${ticket.i.issuer})` : ''}`;
    res.setHeader(
      'set-cookie',
      `${COOKIE}=${browser}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(MCP_OAUTH_FLOW_TTL_MS / 1000)}`,
    );
    page(
      res,
      200,
      'Sign in to an MCP server',
      `<p>An agent using this gateway asks to call <b>MCP server ${html(server.id)}</b> as you.</p>
<table>
<tr><th>Virtual key</th><td>${html(ticket.k)}</td></tr>
<tr><th>Identity</th><td>${html(who)}</td></tr>
<tr><th>MCP server</th><td>${html(server.id)}</td></tr>
<tr><th>You sign in at</th><td>${html(authorizationServer.origin)}</td></tr>
<tr><th>Scopes</th><td>${html(server.auth.scopes.join(' ') || '(none)')}</td></tr>
</table>
<p>Continue only if you started this yourself. Whoever holds this key will be able to use the
account you sign in with, through this server's tools.</p>
<form method="post" action="${MCP_OAUTH_START_PATH}">
<input type="hidden" name="ticket" value="${html(ticketId)}">
<input type="hidden" name="binding" value="${digest(browser)}">
<button type="submit">Continue to sign in</button>
</form>`,
      authorizationServer.origin,
    );
  }

  private async startFlow(req: IncomingMessage, res: ServerResponse, find: (id: string) => CompiledMCPServer | undefined): Promise<void> {
    const form = await readForm(req);
    if (form === undefined) return page(res, 400, 'Not valid', '<p>The form could not be read.</p>');
    const browser = cookie(req);
    const binding = form.get('binding') ?? '';
    // The cookie set with the consent page, in this browser, and the digest the page carried.
    if (browser === undefined || !sameText(digest(browser), binding))
      return page(res, 400, 'Not valid', '<p>Open the sign-in link again in this browser: the consent page was not shown here.</p>');
    const ticketId = form.get('ticket') ?? '';
    const ticket = ticketId === '' ? undefined : await this.options.flows.take<Ticket>(`ticket.${ticketId}`);
    const server = ticket === undefined ? undefined : find(ticket.s);
    if (ticket === undefined || server === undefined || server.auth.type !== 'oauth2PerUser')
      return page(res, 400, 'Link not valid', `<p>${html(EXPIRED)}</p>`);
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(32).toString('base64url');
    const flow: Flow = { ...ticket, v: verifier, b: digest(browser) };
    await this.options.flows.set(`state.${state}`, flow, MCP_OAUTH_FLOW_TTL_MS);
    const authorize = new URL(server.auth.authorizationURL);
    authorize.searchParams.set('response_type', 'code');
    authorize.searchParams.set('client_id', server.auth.clientId);
    authorize.searchParams.set('redirect_uri', this.options.callbackUrl.toString());
    if (server.auth.scopes.length > 0) authorize.searchParams.set('scope', server.auth.scopes.join(' '));
    const resource = resourceOf(server);
    if (resource !== undefined) authorize.searchParams.set('resource', resource);
    authorize.searchParams.set('state', state);
    authorize.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
    authorize.searchParams.set('code_challenge_method', 'S256');
    res.writeHead(303, { location: authorize.toString(), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    res.end();
  }

  private async callback(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    find: (id: string) => CompiledMCPServer | undefined,
  ): Promise<void> {
    const state = url.searchParams.get('state') ?? '';
    // Taken whatever follows: a state is good for one callback, even a refused one.
    const flow = state === '' ? undefined : await this.options.flows.take<Flow>(`state.${state}`);
    if (flow === undefined) return page(res, 400, 'Sign-in not valid', `<p>${html(EXPIRED)}</p>`);
    const browser = cookie(req);
    if (browser === undefined || !sameText(digest(browser), flow.b))
      return page(
        res,
        400,
        'Sign-in refused',
        '<p>This sign-in was not started in this browser, so it is refused. Open the sign-in link you were given in this browser.</p>',
      );
    const server = find(flow.s);
    if (server === undefined || server.auth.type !== 'oauth2PerUser') return page(res, 400, 'Sign-in not valid', `<p>${html(EXPIRED)}</p>`);
    const refused = url.searchParams.get('error');
    if (refused !== null)
      return page(res, 400, 'Sign-in declined', `<p>The authorization server answered: ${html(refused.slice(0, 200))}.</p>`);
    const code = url.searchParams.get('code') ?? '';
    if (code === '') return page(res, 400, 'Sign-in not valid', '<p>The authorization server sent no code.</p>');
    const auth = server.auth;
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.options.callbackUrl.toString(),
      code_verifier: flow.v,
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
    });
    const resource = resourceOf(server);
    if (resource !== undefined) form.set('resource', resource);
    const answer = await requestToken(this.options.transport, auth.tokenURL, form, server.timeouts, 'the authorization code');
    const principal: McpPrincipal = { keyId: flow.k, identity: flow.i };
    const tokens: StoredTokens = { a: answer.accessToken, e: this.nowMs() + answer.lifetimeMs };
    if (answer.refreshToken !== undefined) tokens.r = answer.refreshToken;
    await this.store(tokenName(server, principal), tokens);
    this.options.logger?.info('MCP per-user sign-in completed', { server: server.id, key: flow.k, identity: flow.i?.kind ?? 'key' });
    res.setHeader('set-cookie', `${COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`);
    page(
      res,
      200,
      'Signed in',
      `<p>Signed in. MCP server <b>${html(server.id)}</b> is now called with your account for key <b>${html(flow.k)}</b>. You can close this page and run the tool again.</p>`,
    );
  }
}

const EXPIRED = 'This sign-in link is unknown, already used or expired (links last 10 minutes). Call the tool again for a new one.';

function perUserAuth(server: CompiledMCPServer): Extract<CompiledMCPServer['auth'], { type: 'oauth2PerUser' }> {
  if (server.auth.type !== 'oauth2PerUser') throw new Error(`MCPServer ${server.id} is not oauth2PerUser`);
  return server.auth;
}

/**
 * The resource indicator (RFC 8707) of an MCP server: its URL, which the MCP authorization
 * specification has clients send so the token is bound to that server. Hosted tools (an API, not
 * an MCP server) send none.
 */
function resourceOf(server: CompiledMCPServer): string | undefined {
  return server.transport === 'openapi' ? undefined : server.url;
}

/** A token's name: the server with its authorization server and client (a change there means new tokens), and the identity. */
function tokenName(server: CompiledMCPServer, principal: McpPrincipal): string {
  const auth = perUserAuth(server);
  const person = personOf(principal);
  const parts = [
    server.id,
    auth.authorizationURL,
    auth.tokenURL,
    auth.clientId,
    principal.keyId,
    person?.kind ?? 'key',
    person?.issuer ?? '',
    person?.subject ?? '',
  ];
  return `token.${createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
}

/** The identity within the key, when the caller authenticated with a token rather than the key's secret. */
function personOf(principal: McpPrincipal): McpCallerIdentity | undefined {
  const identity = principal.identity;
  if (identity === undefined || identity.kind === 'key') return undefined;
  return { kind: identity.kind, subject: identity.subject, ...(identity.issuer === undefined ? {} : { issuer: identity.issuer }) };
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookie(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) {
      const text = value.join('=');
      return /^[A-Za-z0-9_-]{43}$/.test(text) ? text : undefined;
    }
  }
  return undefined;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A page of the flow: never cached, never framed (clickjacking), no scripts, forms only to the
 * gateway and (for the redirect that follows the consent form) the authorization server.
 */
function page(res: ServerResponse, status: number, title: string, body: string, formTarget?: string): void {
  const markup = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:3em auto}th{text-align:left;padding-right:1em}</style></head>
<body><h1>${html(title)}</h1>${body}</body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(markup),
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'${formTarget === undefined ? '' : ` ${formTarget}`}; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(markup);
}
