// A small OpenID Connect provider on loopback for the console's single sign-on tests: discovery,
// a JWKS with one RS256 key, an authorization endpoint with a login form (the person types a
// user name; the provider knows each user's email and groups), and a token endpoint that checks
// the client secret (client_secret_basic), the redirect URI and the PKCE verifier (S256) before
// it issues an ID token carrying the request's nonce. Codes are single-use.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockOidcUser {
  email: string;
  groups: string[];
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  user: string;
}

export interface MockOidcProvider {
  issuer: string;
  /** Token requests the provider refused, with the reason (for assertions). */
  refusals: string[];
  close(): Promise<void>;
}

export async function startMockOidcProvider(options: {
  clientId: string;
  clientSecret: string;
  users: Record<string, MockOidcUser>;
}): Promise<MockOidcProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const codes = new Map<string, IssuedCode>();
  const refusals: string[] = [];
  let issuer = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks')
      return json(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] });
    if (url.pathname === '/authorize' && req.method === 'GET') {
      const p = url.searchParams;
      if (p.get('client_id') !== options.clientId || p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256')
        return html(res, 400, '<p>bad authorization request</p>');
      const hidden = ['client_id', 'redirect_uri', 'state', 'nonce', 'code_challenge']
        .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(p.get(name) ?? '')}">`)
        .join('');
      return html(
        res,
        200,
        `<h1>Mock identity provider</h1><form method="post" action="/authorize">${hidden}<label for="user">User name</label><input id="user" name="user"><button type="submit">Log in</button></form>`,
      );
    }
    if (url.pathname === '/authorize' && req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      const user = form.get('user') ?? '';
      if (options.users[user] === undefined) return html(res, 401, '<p>unknown user</p>');
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        clientId: form.get('client_id') ?? '',
        redirectUri: form.get('redirect_uri') ?? '',
        challenge: form.get('code_challenge') ?? '',
        nonce: form.get('nonce') ?? '',
        user,
      });
      const back = new URL(form.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', form.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString('utf8')
        .split(':')
        .map(decodeURIComponent);
      const refuse = (reason: string): void => {
        refusals.push(reason);
        json(res, 400, { error: 'invalid_grant', error_description: reason });
      };
      if (id !== options.clientId || secret !== options.clientSecret) return refuse('client authentication failed');
      const issued = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (issued === undefined) return refuse('unknown or used code');
      if (issued.redirectUri !== form.get('redirect_uri')) return refuse('redirect_uri differs');
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      if (challenge !== issued.challenge) return refuse('PKCE verifier does not match');
      const person = options.users[issued.user] as MockOidcUser;
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: issuer,
        aud: options.clientId,
        sub: `sub-${issued.user}`,
        email: person.email,
        email_verified: true,
        groups: person.groups,
        nonce: issued.nonce,
        iat: now,
        exp: now + 3600,
      };
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
      return json(res, 200, {
        access_token: randomBytes(16).toString('hex'),
        token_type: 'Bearer',
        id_token: `${header}.${payload}.${signature}`,
      });
    }
    json(res, 404, { error: 'not_found' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    refusals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function html(res: ServerResponse, status: number, content: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><body>${content}</body></html>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
