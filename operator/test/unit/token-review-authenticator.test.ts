import { describe, expect, it } from '@jest/globals';
import { TokenReviewAuthenticator, tokenExpiryMs } from '../../src/auth/token-review-authenticator.js';

type Review = { status: { authenticated?: boolean; user?: { username?: string }; audiences?: string[] } };

function fakeApi(answer: (token: string) => Review | Error) {
  const calls: Array<{ path: string; body: any }> = [];
  return {
    calls,
    client: {
      async create<T>(path: string, body: unknown): Promise<T> {
        calls.push({ path, body });
        const result = answer((body as { spec: { token: string } }).spec.token);
        if (result instanceof Error) throw result;
        return result as T;
      },
    },
  };
}

const serviceAccount = (ns: string, name: string): Review => ({
  status: { authenticated: true, user: { username: `system:serviceaccount:${ns}:${name}` }, audiences: ['switchyard'] },
});

describe('TokenReviewAuthenticator', () => {
  it('asks for audience switchyard and admits only the listed ServiceAccounts', async () => {
    const api = fakeApi((token) => (token === 'gw' ? serviceAccount('ai', 'gateway') : serviceAccount('ai', 'some-app')));
    const auth = new TokenReviewAuthenticator({ client: api.client, allowedServiceAccounts: ['ai/gateway'] });
    expect(await auth.authenticate('Bearer gw')).toEqual({
      ok: true,
      serviceAccount: 'ai/gateway',
      username: 'system:serviceaccount:ai:gateway',
    });
    expect(await auth.authenticate('Bearer app')).toMatchObject({
      ok: false,
      status: 403,
      reason: expect.stringContaining('ai/some-app is not a gateway ServiceAccount'),
    });
    expect(api.calls[0]).toEqual({
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'gw', audiences: ['switchyard'] } },
    });
  });

  it.each([
    ['no header', undefined, 401],
    ['a non-bearer header', 'Basic abc', 401],
    ['an unauthenticated token', 'Bearer bad', 401],
    ['a token for another audience', 'Bearer other-audience', 401],
    ['a user that is not a ServiceAccount', 'Bearer human', 403],
  ] as const)('refuses %s', async (_name, header, status) => {
    const api = fakeApi((token) => {
      if (token === 'other-audience')
        return { status: { authenticated: true, user: { username: 'system:serviceaccount:ai:gateway' }, audiences: ['kubernetes'] } };
      if (token === 'human') return { status: { authenticated: true, user: { username: 'alice' }, audiences: ['switchyard'] } };
      return { status: { authenticated: false } };
    });
    const auth = new TokenReviewAuthenticator({ client: api.client, allowedServiceAccounts: ['ai/gateway'] });
    expect(await auth.authenticate(header)).toMatchObject({ ok: false, status });
  });

  it('caches verdicts for a while, but never an unavailable API server', async () => {
    let now = 1_000_000;
    let failing = true;
    const api = fakeApi(() => (failing ? new Error('connection refused') : serviceAccount('ai', 'gateway')));
    const auth = new TokenReviewAuthenticator({
      client: api.client,
      allowedServiceAccounts: ['ai/gateway'],
      cacheTtlMs: 60_000,
      now: () => now,
    });
    expect(await auth.authenticate('Bearer t')).toMatchObject({ ok: false, status: 503 });
    failing = false;
    expect((await auth.authenticate('Bearer t')).ok).toBe(true);
    expect((await auth.authenticate('Bearer t')).ok).toBe(true);
    expect(api.calls).toHaveLength(2);
    now += 61_000;
    await auth.authenticate('Bearer t');
    expect(api.calls).toHaveLength(3);
  });

  it('does not trust a cached verdict past the token expiry', async () => {
    let now = 1_700_000_000_000;
    const payload = Buffer.from(JSON.stringify({ exp: now / 1000 + 5 })).toString('base64url');
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${payload}.c2lnbmF0dXJl`;
    expect(tokenExpiryMs(jwt)).toBe(now + 5_000);
    const api = fakeApi(() => serviceAccount('ai', 'gateway'));
    const auth = new TokenReviewAuthenticator({ client: api.client, allowedServiceAccounts: ['ai/gateway'], now: () => now });
    await auth.authenticate(`Bearer ${jwt}`);
    now += 6_000;
    await auth.authenticate(`Bearer ${jwt}`);
    expect(api.calls).toHaveLength(2);
  });
});
