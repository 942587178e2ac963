// The console's single sign-on checks the ID token offline before it trusts a name: signature
// against the issuer's JWKS, issuer, audience, expiry, nonce, a verified email when the email
// names the user; and maps the claims to a user and groups with the configured prefixes.
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ConsoleOidc, type ConsoleOidcSettings } from '../../src/console/console-oidc.js';

const ISSUER = 'https://idp.example';
const SETTINGS: ConsoleOidcSettings = {
  issuerUrl: ISSUER,
  clientId: 'console',
  clientSecretFile: undefined,
  redirectUrl: 'https://console.example/oidc/callback',
  usernameClaim: 'email',
  usernamePrefix: 'oidc:',
  groupsClaim: 'groups',
  groupsPrefix: 'idp:',
  scopes: ['openid', 'email'],
};
const NOW_S = 1_800_000_000;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

type Claims = Record<string, unknown>;
function jwt(claims: Claims, options: { alg?: string; kid?: string; key?: 'rsa' | 'ec' | 'stranger' } = {}): string {
  const alg = options.alg ?? 'RS256';
  const header = Buffer.from(JSON.stringify({ alg, kid: options.kid ?? 'rsa-1' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const data = Buffer.from(`${header}.${payload}`);
  const signature =
    options.key === 'ec'
      ? sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', data, options.key === 'stranger' ? stranger.privateKey : rsa.privateKey);
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

/** Runs one sign-in whose token endpoint answers `makeToken(nonce)`. */
async function signInWith(makeToken: (nonce: string) => string) {
  let nonce = '';
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = String(input);
    const answer = (value: unknown) =>
      new Response(JSON.stringify(value), { status: 200, headers: { 'content-type': 'application/json' } });
    if (url.endsWith('/.well-known/openid-configuration'))
      return answer({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/auth`,
        token_endpoint: `${ISSUER}/token`,
        jwks_uri: `${ISSUER}/jwks`,
      });
    if (url.endsWith('/jwks'))
      return answer({
        keys: [
          { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig' },
          { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig' },
        ],
      });
    if (url.endsWith('/token')) return answer({ id_token: makeToken(nonce) });
    return new Response('no', { status: 404 });
  }) as typeof fetch;
  const oidc = new ConsoleOidc(SETTINGS, { now: () => NOW_S * 1000, fetch: fetchImpl });
  const started = await oidc.begin();
  const location = new URL(started.location);
  nonce = location.searchParams.get('nonce') ?? '';
  expect(location.searchParams.get('code_challenge_method')).toBe('S256');
  return oidc.complete(new URLSearchParams({ code: 'c', state: location.searchParams.get('state') ?? '' }), started.binding);
}

const good = (nonce: string): Claims => ({
  iss: ISSUER,
  aud: 'console',
  exp: NOW_S + 600,
  iat: NOW_S,
  nonce,
  sub: 'u-1',
  email: 'ada@example.com',
  email_verified: true,
  groups: ['sre', 'payments'],
});

describe('console single sign-on: the ID token', () => {
  it('maps a valid token to a prefixed user and groups, with its expiry', async () => {
    await expect(signInWith((n) => jwt(good(n)))).resolves.toEqual({
      ok: true,
      user: { username: 'oidc:ada@example.com', uid: undefined, groups: ['idp:sre', 'idp:payments'], extra: {} },
      expiresAtMs: (NOW_S + 600) * 1000,
    });
  });

  it('accepts ES256 tokens', async () => {
    await expect(signInWith((n) => jwt(good(n), { alg: 'ES256', kid: 'ec-1', key: 'ec' }))).resolves.toMatchObject({ ok: true });
  });

  it.each([
    ['a signature by another key', (n: string) => jwt(good(n), { key: 'stranger' }), 'signature does not verify'],
    ['an unknown key id', (n: string) => jwt(good(n), { kid: 'gone' }), 'signing key is not in'],
    ['alg none', (n: string) => jwt(good(n), { alg: 'none' }), 'algorithm "none" is not accepted'],
    ['HS256', (n: string) => jwt(good(n), { alg: 'HS256' }), 'algorithm "HS256" is not accepted'],
    ['another issuer', (n: string) => jwt({ ...good(n), iss: 'https://evil.example' }), 'another issuer'],
    ['another audience', (n: string) => jwt({ ...good(n), aud: 'other' }), 'for another client'],
    ['several audiences, azp another party', (n: string) => jwt({ ...good(n), aud: ['console', 'x'], azp: 'x' }), 'another party'],
    ['an expired token', (n: string) => jwt({ ...good(n), exp: NOW_S - 120 }), 'expired'],
    ['a token not valid yet', (n: string) => jwt({ ...good(n), nbf: NOW_S + 600 }), 'not valid yet'],
    ['another nonce', () => jwt(good('replayed')), 'nonce does not match'],
    ['no email', (n: string) => jwt({ ...good(n), email: undefined }), 'no "email" claim'],
    ['an unverified email', (n: string) => jwt({ ...good(n), email_verified: false }), 'not verified'],
    ['not a JWT', () => 'abc', 'not a signed JWT'],
  ])('refuses %s', async (_name, makeToken, reason) => {
    const outcome = await signInWith(makeToken);
    expect(outcome).toMatchObject({ ok: false, status: 401 });
    expect((outcome as { reason: string }).reason).toContain(reason);
  });

  it('refuses a callback without the binding cookie, an unknown state, and a state used twice', async () => {
    const fetchImpl = (async () =>
      new Response(
        JSON.stringify({ issuer: ISSUER, authorization_endpoint: `${ISSUER}/a`, token_endpoint: `${ISSUER}/t`, jwks_uri: `${ISSUER}/j` }),
        {
          status: 200,
        },
      )) as unknown as typeof fetch;
    const oidc = new ConsoleOidc(SETTINGS, { fetch: fetchImpl });
    const started = await oidc.begin();
    const state = new URL(started.location).searchParams.get('state') ?? '';
    await expect(oidc.complete(new URLSearchParams({ code: 'c', state }), undefined)).resolves.toMatchObject({
      ok: false,
      reason: expect.stringContaining('another browser'),
    });
    await expect(oidc.complete(new URLSearchParams({ code: 'c', state }), started.binding)).resolves.toMatchObject({
      ok: false,
      reason: expect.stringContaining('unknown'),
    });
    await expect(oidc.complete(new URLSearchParams({ error: 'access_denied' }), started.binding)).resolves.toMatchObject({
      ok: false,
      reason: expect.stringContaining('refused the sign-in: access_denied'),
    });
  });
});
