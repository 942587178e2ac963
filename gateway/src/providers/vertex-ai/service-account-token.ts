// OAuth2 access tokens for one service account, cached and refreshed ahead of expiry.
//
// - A token is used until `refreshMarginMs` before it expires (5 minutes: Google's tokens last an
//   hour). From then on the next request starts a refresh; while the current token still has
//   `minUsableMs` left, requests keep using it and do not wait for the refresh.
// - One refresh at a time: every request that needs a token while it runs shares its result.
// - A failed refresh is not retried by every request in a burst: the next try waits
//   `retryDelayMs` while a usable token remains; without one, each request tries (and fails
//   with the classified reason).

import { jwtAssertionClaims, signJwtAssertion } from './google-jwt-assertion.js';
import type { IssuedAccessToken } from './google-token-exchange.js';
import type { ServiceAccountKey } from './service-account-key.js';

/** Sends one assertion to the token endpoint; throws UpstreamFailure. */
export type AccessTokenExchange = (assertion: string, key: ServiceAccountKey) => Promise<IssuedAccessToken>;

export interface TokenSourceOptions {
  /** Clock in Unix milliseconds. */
  now?: () => number;
  refreshMarginMs?: number;
  minUsableMs?: number;
  retryDelayMs?: number;
}

interface CachedToken {
  token: string;
  expiresAtMs: number;
  refreshAtMs: number;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
const DEFAULT_MIN_USABLE_MS = 60_000;
const DEFAULT_RETRY_DELAY_MS = 5_000;

export class GoogleServiceAccountTokenSource {
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private readonly now: () => number;
  private readonly refreshMarginMs: number;
  private readonly minUsableMs: number;
  private readonly retryDelayMs: number;

  constructor(
    readonly key: ServiceAccountKey,
    options: TokenSourceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.minUsableMs = options.minUsableMs ?? DEFAULT_MIN_USABLE_MS;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  }

  /** A token good for this request; fetches one (sharing any fetch in flight) when needed. */
  accessToken(exchange: AccessTokenExchange): Promise<string> {
    const cached = this.cached;
    const now = this.now();
    if (cached !== undefined && now < cached.refreshAtMs) return Promise.resolve(cached.token);
    const refresh = this.refresh(exchange);
    if (cached !== undefined && now < cached.expiresAtMs - this.minUsableMs) return Promise.resolve(cached.token);
    return refresh;
  }

  private refresh(exchange: AccessTokenExchange): Promise<string> {
    if (this.inflight !== undefined) return this.inflight;
    const run = this.fetchToken(exchange);
    this.inflight = run;
    run.then(
      () => {
        this.inflight = undefined;
      },
      () => {
        this.inflight = undefined;
        const cached = this.cached;
        if (cached !== undefined) cached.refreshAtMs = Math.min(this.now() + this.retryDelayMs, cached.expiresAtMs);
      },
    );
    return run;
  }

  private async fetchToken(exchange: AccessTokenExchange): Promise<string> {
    const issuedAtMs = this.now();
    const assertion = signJwtAssertion(this.key, jwtAssertionClaims(this.key, issuedAtMs));
    const issued = await exchange(assertion, this.key);
    // Counted from before the request left, so network time only makes the cache more cautious.
    const expiresAtMs = issuedAtMs + issued.expiresInSeconds * 1000;
    this.cached = { token: issued.accessToken, expiresAtMs, refreshAtMs: expiresAtMs - this.refreshMarginMs };
    return issued.accessToken;
  }
}
