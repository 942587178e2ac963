// OAuth 2.0 client credentials (RFC 6749 section 4.4) for MCPServers with
// `auth.type: oauth2ClientCredentials`: one token per server, fetched through the gateway's
// transport (so the token endpoint obeys the egress guard too), kept until shortly before it
// expires, and fetched again then or when the upstream refuses it. Concurrent calls share one
// fetch.
import type { CompiledMCPAuth, CompiledMCPServer } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import type { UpstreamTransport } from '../transport/upstream-transport.js';
import { McpUpstreamError } from './upstream-errors.js';

/** A token is replaced this long before it expires, so no call goes out with one about to lapse. */
export const TOKEN_REFRESH_MARGIN_MS = 30_000;
/** Tokens answered without `expires_in` are kept this long. */
const DEFAULT_TOKEN_LIFETIME_MS = 5 * 60_000;
/** Largest token endpoint answer read. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

type ClientCredentialsAuth = Extract<CompiledMCPAuth, { type: 'oauth2ClientCredentials' }>;

export class ClientCredentialsTokens {
  private cached: { token: string; refreshAtMs: number } | undefined;
  private fetching: Promise<string> | undefined;

  constructor(
    private readonly auth: ClientCredentialsAuth,
    private readonly transport: UpstreamTransport,
    private readonly timeouts: { connectMs: number; callMs: number },
    private readonly nowMs: () => number,
  ) {}

  token(): Promise<string> {
    const cached = this.cached;
    if (cached !== undefined && this.nowMs() < cached.refreshAtMs) return Promise.resolve(cached.token);
    this.fetching ??= this.fetchToken().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.auth.clientId,
      client_secret: this.auth.clientSecret,
    });
    if (this.auth.scopes.length > 0) form.set('scope', this.auth.scopes.join(' '));
    const answer = await requestToken(this.transport, this.auth.tokenURL, form, this.timeouts, 'the client credentials');
    this.cached = { token: answer.accessToken, refreshAtMs: this.nowMs() + Math.max(0, answer.lifetimeMs - TOKEN_REFRESH_MARGIN_MS) };
    return answer.accessToken;
  }
}

/** What a token endpoint answered (RFC 6749 section 5.1). */
export interface TokenAnswer {
  accessToken: string;
  /** `expires_in`, or the default lifetime when the answer gives none. */
  lifetimeMs: number;
  refreshToken?: string;
}

/**
 * One token request (a form POST to `tokenURL`) through the gateway's transport, so the token
 * endpoint obeys the egress guard like every upstream. Refusals name the HTTP status only: a token
 * endpoint's error body may echo the client secret or the code.
 */
export async function requestToken(
  transport: UpstreamTransport,
  tokenURL: string,
  form: URLSearchParams,
  timeouts: { connectMs: number; callMs: number },
  what: string,
): Promise<TokenAnswer> {
  let text: string;
  let status: number;
  try {
    const response = await transport.send(
      {
        url: tokenURL,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      },
      { connectMs: timeouts.connectMs, bodyIdleMs: timeouts.callMs },
      AbortSignal.timeout(timeouts.callMs),
    );
    status = response.status;
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > MAX_TOKEN_RESPONSE_BYTES) {
        response.body.destroy();
        throw new McpUpstreamError(`the token endpoint's answer is larger than ${MAX_TOKEN_RESPONSE_BYTES} bytes`, 'auth');
      }
      chunks.push(chunk);
    }
    text = Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof McpUpstreamError) throw error;
    throw new McpUpstreamError('cannot reach the token endpoint', 'unreachable', { cause: error });
  }
  // A 5xx is the endpoint failing, not a verdict on the credential (reason `unreachable`); a 4xx refuses it (`auth`).
  if (status < 200 || status >= 300)
    throw new McpUpstreamError(`the token endpoint refused ${what} (HTTP ${status})`, status >= 500 ? 'unreachable' : 'auth');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed) || typeof parsed.access_token !== 'string' || parsed.access_token.length === 0)
    throw new McpUpstreamError('the token endpoint answered without an access_token', 'auth');
  const lifetimeMs = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in * 1000 : DEFAULT_TOKEN_LIFETIME_MS;
  const answer: TokenAnswer = { accessToken: parsed.access_token, lifetimeMs };
  if (typeof parsed.refresh_token === 'string' && parsed.refresh_token.length > 0) answer.refreshToken = parsed.refresh_token;
  return answer;
}

/** The calling identity's own token for one `oauth2PerUser` server (per-user-oauth.ts). */
export interface UserTokenSource {
  /** The identity's access token (refreshed when near expiry); rejects with McpLoginRequiredError when there is none. */
  token(): Promise<string>;
  /** The upstream refused the token: it is dropped, and the identity is asked to sign in again. */
  refused(): void;
}

/**
 * What every request to one upstream MCP server carries, whatever its transport: the server's
 * static headers and its credential (a bearer token, a client-credentials token fetched and
 * cached by ClientCredentialsTokens, or for `oauth2PerUser` the calling identity's own token).
 */
export class UpstreamCredentials {
  private readonly tokens: ClientCredentialsTokens | undefined;

  constructor(
    private readonly server: CompiledMCPServer,
    transport: UpstreamTransport,
    nowMs: () => number,
    private readonly user?: UserTokenSource,
  ) {
    const { auth } = server;
    this.tokens =
      auth.type === 'oauth2ClientCredentials' ? new ClientCredentialsTokens(auth, transport, server.timeouts, nowMs) : undefined;
  }

  async headers(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...this.server.headers };
    const { auth } = this.server;
    if (auth.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;
    else if (this.tokens !== undefined) headers.authorization = `Bearer ${await this.tokens.token()}`;
    else if (auth.type === 'oauth2PerUser') {
      // Never the server's own or another identity's credential: without the caller's token, no call.
      if (this.user === undefined)
        throw new McpUpstreamError(
          'per-user OAuth is not configured on this gateway (--mcp-oauth-callback-url), so this server cannot be called',
          'auth',
        );
      headers.authorization = `Bearer ${await this.user.token()}`;
    }
    return headers;
  }

  /** The upstream refused the credential: a client-credentials token is fetched again next time, a user's token is dropped. */
  refused(): void {
    this.tokens?.invalidate();
    this.user?.refused();
  }
}
