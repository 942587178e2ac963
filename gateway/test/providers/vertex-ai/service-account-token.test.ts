// Token caching: one fetch serves many requests, a refresh starts five minutes before expiry,
// concurrent requests share one fetch, and failures are not retried by every request.

import { describe, expect, it } from '@jest/globals';
import { createPublicKey, verify } from 'node:crypto';
import type { IssuedAccessToken } from '../../../src/providers/vertex-ai/google-token-exchange.js';
import { parseServiceAccountKey } from '../../../src/providers/vertex-ai/service-account-key.js';
import { GoogleServiceAccountTokenSource, type AccessTokenExchange } from '../../../src/providers/vertex-ai/service-account-token.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import { createTestServiceAccount, TEST_CLIENT_EMAIL } from './vertex-ai-test-support.js';

const account = createTestServiceAccount();
const key = parseServiceAccountKey(account.json('https://oauth2.googleapis.com/token'));

class FakeClock {
  ms = Date.UTC(2026, 0, 1);
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A token endpoint under the test's control: each call waits for `answer` or `fail`. */
class ScriptedExchange {
  assertions: string[] = [];
  private pending: Array<{ resolve: (token: IssuedAccessToken) => void; reject: (error: unknown) => void }> = [];
  readonly exchange: AccessTokenExchange = (assertion) => {
    this.assertions.push(assertion);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  };
  answer(token: string, expiresInSeconds = 3600): void {
    this.pending.shift()?.resolve({ accessToken: token, expiresInSeconds });
  }
  fail(error: unknown): void {
    this.pending.shift()?.reject(error);
  }
  get waiting(): number {
    return this.pending.length;
  }
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('GoogleServiceAccountTokenSource', () => {
  it('signs an RS256 assertion with the service account claims', async () => {
    const clock = new FakeClock();
    const endpoint = new ScriptedExchange();
    const source = new GoogleServiceAccountTokenSource(key, { now: clock.now });
    const token = source.accessToken(endpoint.exchange);
    endpoint.answer('tok-1');
    await expect(token).resolves.toBe('tok-1');

    const [header, claims, signature] = (endpoint.assertions[0] as string).split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    });
    const iat = Math.floor(clock.ms / 1000);
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({
      iss: TEST_CLIENT_EMAIL,
      sub: TEST_CLIENT_EMAIL,
      aud: 'https://oauth2.googleapis.com/token',
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      iat,
      exp: iat + 3600,
    });
    expect(
      verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), createPublicKey(account.publicKeyPem), Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });

  it('reuses a token until five minutes before it expires, then refreshes', async () => {
    const clock = new FakeClock();
    const endpoint = new ScriptedExchange();
    const source = new GoogleServiceAccountTokenSource(key, { now: clock.now });
    const first = source.accessToken(endpoint.exchange);
    endpoint.answer('tok-1', 3600);
    await expect(first).resolves.toBe('tok-1');

    clock.advance(54 * 60_000);
    await expect(source.accessToken(endpoint.exchange)).resolves.toBe('tok-1');
    expect(endpoint.assertions).toHaveLength(1);

    // Inside the margin: the current token still serves while the refresh runs.
    clock.advance(2 * 60_000);
    await expect(source.accessToken(endpoint.exchange)).resolves.toBe('tok-1');
    expect(endpoint.assertions).toHaveLength(2);
    endpoint.answer('tok-2', 3600);
    await settle();
    await expect(source.accessToken(endpoint.exchange)).resolves.toBe('tok-2');
    expect(endpoint.assertions).toHaveLength(2);
  });

  it('makes requests wait for the refresh once the token is nearly gone', async () => {
    const clock = new FakeClock();
    const endpoint = new ScriptedExchange();
    const source = new GoogleServiceAccountTokenSource(key, { now: clock.now });
    const first = source.accessToken(endpoint.exchange);
    endpoint.answer('tok-1', 3600);
    await first;
    clock.advance(3600_000 - 30_000);
    const waiting = source.accessToken(endpoint.exchange);
    let settled = false;
    void waiting.then(() => (settled = true));
    await settle();
    expect(settled).toBe(false);
    endpoint.answer('tok-2');
    await expect(waiting).resolves.toBe('tok-2');
  });

  it('shares one fetch among concurrent requests', async () => {
    const endpoint = new ScriptedExchange();
    const source = new GoogleServiceAccountTokenSource(key, { now: new FakeClock().now });
    const tokens = Array.from({ length: 20 }, () => source.accessToken(endpoint.exchange));
    expect(endpoint.waiting).toBe(1);
    endpoint.answer('shared');
    await expect(Promise.all(tokens)).resolves.toEqual(Array.from({ length: 20 }, () => 'shared'));
    expect(endpoint.assertions).toHaveLength(1);
  });

  it('fails every waiter with the classified failure, and the next request tries again', async () => {
    const endpoint = new ScriptedExchange();
    const source = new GoogleServiceAccountTokenSource(key, { now: new FakeClock().now });
    const waiters = [source.accessToken(endpoint.exchange), source.accessToken(endpoint.exchange)];
    const refused = new UpstreamFailure('AuthError', 400, 'token endpoint refused the service account (HTTP 400: invalid_grant)');
    endpoint.fail(refused);
    for (const waiter of waiters) await expect(waiter).rejects.toBe(refused);
    const retry = source.accessToken(endpoint.exchange);
    expect(endpoint.waiting).toBe(1);
    endpoint.answer('tok-after');
    await expect(retry).resolves.toBe('tok-after');
  });

  it('after a failed background refresh, waits before trying again while the token is usable', async () => {
    const clock = new FakeClock();
    const endpoint = new ScriptedExchange();
    const source = new GoogleServiceAccountTokenSource(key, { now: clock.now, retryDelayMs: 5_000 });
    const first = source.accessToken(endpoint.exchange);
    endpoint.answer('tok-1', 3600);
    await first;
    clock.advance(56 * 60_000);
    await expect(source.accessToken(endpoint.exchange)).resolves.toBe('tok-1');
    endpoint.fail(new UpstreamFailure('ServerError', 503, 'token endpoint refused the service account (HTTP 503)'));
    await settle();
    await expect(source.accessToken(endpoint.exchange)).resolves.toBe('tok-1');
    expect(endpoint.assertions).toHaveLength(2);
    clock.advance(5_000);
    await expect(source.accessToken(endpoint.exchange)).resolves.toBe('tok-1');
    expect(endpoint.assertions).toHaveLength(3);
  });
});
