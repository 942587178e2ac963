// A small OAuth 2.0 authorization server for the per-user OAuth tests, on loopback: an authorize
// endpoint with a login form (the user types a name, no password), a token endpoint that checks
// the client's secret, the redirect URI and the PKCE verifier (S256 only) before it redeems a code
// once, and refresh-token grants that rotate the refresh token. Access tokens expire after
// `accessTokenLifetimeS` and can be revoked, so tests can drive expiry and 401s; `userFor` is
// what a protected upstream asks to learn who a bearer token belongs to.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OAuthServerOptions {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs the client registered. */
  redirectUris: string[];
  /** expires_in of every access token (default 3600). */
  accessTokenLifetimeS?: number;
}

export interface OAuthServer {
  readonly origin: string;
  readonly authorizationURL: string;
  readonly tokenURL: string;
  /** The grant types the token endpoint answered with a token, in order. */
  readonly grants: string[];
  /** The `resource` (RFC 8707) of each authorization request, '' when absent, in order. */
  readonly resources: string[];
  /** The user an unexpired, unrevoked access token was issued to. */
  userFor(accessToken: string): string | undefined;
  /** Revokes every access token issued so far (refresh tokens too). */
  revokeAll(): void;
  /** Changes expires_in for tokens issued from now on. */
  setAccessTokenLifetime(seconds: number): void;
  /** While down, the token endpoint answers 503 to every request. */
  setTokenEndpointDown(down: boolean): void;
  close(): Promise<void>;
}

interface Code {
  user: string;
  redirectUri: string;
  challenge: string;
  scope: string;
}

export async function startOAuthServer(options: OAuthServerOptions): Promise<OAuthServer> {
  const codes = new Map<string, Code>();
  const accessTokens = new Map<string, { user: string; expiresAtMs: number }>();
  const refreshTokens = new Map<string, string>();
  const grants: string[] = [];
  const resources: string[] = [];
  let lifetimeS = options.accessTokenLifetimeS ?? 3600;
  let tokenEndpointDown = false;

  const issue = (user: string): Record<string, unknown> => {
    const access = `at-${randomBytes(16).toString('hex')}`;
    const refresh = `rt-${randomBytes(16).toString('hex')}`;
    accessTokens.set(access, { user, expiresAtMs: Date.now() + lifetimeS * 1000 });
    refreshTokens.set(refresh, user);
    return { access_token: access, token_type: 'Bearer', expires_in: lifetimeS, refresh_token: refresh };
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://as.invalid');
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(value));
      };
      if (url.pathname === '/authorize' && req.method === 'GET') {
        const params = url.searchParams;
        if (params.get('client_id') !== options.clientId) return json(400, { error: 'invalid_client' });
        if (!options.redirectUris.includes(params.get('redirect_uri') ?? '')) return json(400, { error: 'invalid_redirect_uri' });
        if (params.get('response_type') !== 'code' || params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge'))
          return json(400, { error: 'invalid_request' });
        resources.push(params.get('resource') ?? '');
        const hidden = [...params].map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`).join('');
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<form method="post" action="/authorize">${hidden}<input name="username"><button>Log in</button></form>`);
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (url.pathname === '/authorize' && req.method === 'POST') {
        const redirectUri = form.get('redirect_uri') ?? '';
        const user = form.get('username') ?? '';
        if (!options.redirectUris.includes(redirectUri) || user === '') return json(400, { error: 'invalid_request' });
        const code = randomBytes(16).toString('hex');
        codes.set(code, { user, redirectUri, challenge: form.get('code_challenge') ?? '', scope: form.get('scope') ?? '' });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', form.get('state') ?? '');
        res.writeHead(302, { location: back.toString() }).end();
        return;
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        if (tokenEndpointDown) return json(503, { error: 'temporarily_unavailable' });
        if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret)
          return json(401, { error: 'invalid_client' });
        const grant = form.get('grant_type');
        if (grant === 'authorization_code') {
          const code = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          if (code === undefined || code.redirectUri !== form.get('redirect_uri')) return json(400, { error: 'invalid_grant' });
          const verifier = form.get('code_verifier') ?? '';
          if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge)
            return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
          grants.push(grant);
          return json(200, issue(code.user));
        }
        if (grant === 'refresh_token') {
          const refresh = form.get('refresh_token') ?? '';
          const user = refreshTokens.get(refresh);
          refreshTokens.delete(refresh);
          if (user === undefined) return json(400, { error: 'invalid_grant' });
          grants.push(grant);
          return json(200, issue(user));
        }
        return json(400, { error: 'unsupported_grant_type' });
      }
      json(404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    authorizationURL: `${origin}/authorize`,
    tokenURL: `${origin}/token`,
    grants,
    resources,
    userFor(accessToken) {
      const entry = accessTokens.get(accessToken);
      return entry !== undefined && entry.expiresAtMs > Date.now() ? entry.user : undefined;
    },
    revokeAll() {
      accessTokens.clear();
      refreshTokens.clear();
    },
    setAccessTokenLifetime(seconds) {
      lifetimeS = seconds;
    },
    setTokenEndpointDown(down) {
      tokenEndpointDown = down;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
