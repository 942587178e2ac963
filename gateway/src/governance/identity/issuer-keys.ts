// One issuer's signing keys: discovery (`<issuer>/.well-known/openid-configuration`), then the
// JWKS it names, cached. A token signed with a `kid` the cache does not hold makes the gateway
// fetch again (the issuer rotated its keys), at most once per MIN_REFRESH_INTERVAL_MS so a caller
// inventing kids cannot turn the gateway into a fetch amplifier. Keys older than KEYS_MAX_AGE_MS
// are fetched again on the next token; if that fails the old keys keep working.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { isRecord } from '@switchyard/compiler';
import { IssuerUnavailableError, type JsonFetcher } from './issuer-documents.js';
import { TokenInvalidError } from './jwt.js';

/** Unknown kids trigger at most one fetch per issuer in this interval. */
const MIN_REFRESH_INTERVAL_MS = 10_000;
/** Cached keys are refetched once they are this old. */
const KEYS_MAX_AGE_MS = 60 * 60_000;
/** Keys kept from one JWKS; the rest are ignored. */
const MAX_KEYS = 64;

interface KeySet {
  byKid: Map<string, KeyObject>;
  /** Every key, for tokens without a kid. */
  all: KeyObject[];
  fetchedAtMs: number;
}

/** `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0, section 4). */
function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export class IssuerKeys {
  private keys: KeySet | undefined;
  private lastAttemptMs = Number.NEGATIVE_INFINITY;
  private fetching: Promise<KeySet> | undefined;
  private lastError = '';

  constructor(
    readonly issuer: string,
    private readonly fetchJson: JsonFetcher,
    private readonly nowMs: () => number,
  ) {}

  /** The keys that may have signed a token with this kid (all keys when the token names none). */
  async candidates(kid: string | undefined): Promise<KeyObject[]> {
    let keys = this.keys;
    if (keys === undefined) {
      // Never fetched successfully: a failing issuer is asked at most once per interval, not once per request.
      if (!this.mayRefresh()) {
        throw new IssuerUnavailableError(
          `the signing keys of issuer ${this.issuer} could not be fetched (${this.lastError}); retried at most every ${MIN_REFRESH_INTERVAL_MS / 1000}s`,
        );
      }
      keys = await this.refresh();
    } else if (this.nowMs() - keys.fetchedAtMs >= KEYS_MAX_AGE_MS && this.mayRefresh())
      keys = await this.refresh().catch(() => keys as KeySet);
    let found = lookUp(keys, kid);
    if (found.length === 0 && kid !== undefined) {
      if (!this.mayRefresh()) {
        throw new TokenInvalidError(
          `token key id ${JSON.stringify(kid.slice(0, 64))} is not among the keys of issuer ${this.issuer} (keys are refetched at most every ${MIN_REFRESH_INTERVAL_MS / 1000}s)`,
        );
      }
      keys = await this.refresh();
      found = lookUp(keys, kid);
      if (found.length === 0) {
        throw new TokenInvalidError(`token key id ${JSON.stringify(kid.slice(0, 64))} is not among the keys of issuer ${this.issuer}`);
      }
    }
    return found;
  }

  private mayRefresh(): boolean {
    return this.fetching !== undefined || this.nowMs() - this.lastAttemptMs >= MIN_REFRESH_INTERVAL_MS;
  }

  /** One fetch at a time; concurrent callers share it. */
  private refresh(): Promise<KeySet> {
    this.fetching ??= this.fetchKeys()
      .catch((error: unknown) => {
        this.lastError = (error as Error).message;
        throw error;
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }

  private async fetchKeys(): Promise<KeySet> {
    this.lastAttemptMs = this.nowMs();
    const discovery = await this.fetchJson(discoveryUrl(this.issuer));
    // OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer it was fetched for.
    if (typeof discovery.issuer !== 'string' || discovery.issuer.replace(/\/+$/, '') !== this.issuer.replace(/\/+$/, '')) {
      throw new IssuerUnavailableError(`the discovery document of ${this.issuer} names another issuer`);
    }
    const jwksUri = discovery.jwks_uri;
    if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri) || new URL(jwksUri).protocol !== 'https:') {
      throw new IssuerUnavailableError(`the discovery document of ${this.issuer} has no https jwks_uri`);
    }
    const jwks = await this.fetchJson(jwksUri);
    const set: KeySet = { byKid: new Map(), all: [], fetchedAtMs: this.nowMs() };
    for (const jwk of Array.isArray(jwks.keys) ? jwks.keys.slice(0, MAX_KEYS) : []) {
      if (!isRecord(jwk) || (jwk.use !== undefined && jwk.use !== 'sig') || (jwk.kty !== 'RSA' && jwk.kty !== 'EC')) continue;
      let key: KeyObject;
      try {
        key = createPublicKey({ key: jwk as never, format: 'jwk' });
      } catch {
        continue; // one malformed key does not spoil the others
      }
      set.all.push(key);
      if (typeof jwk.kid === 'string') set.byKid.set(jwk.kid, key);
    }
    if (set.all.length === 0) throw new IssuerUnavailableError(`the JWKS of ${this.issuer} (${jwksUri}) holds no usable signing key`);
    this.keys = set;
    return set;
  }
}

function lookUp(keys: KeySet, kid: string | undefined): KeyObject[] {
  if (kid === undefined) return keys.all;
  const key = keys.byKid.get(kid);
  return key === undefined ? [] : [key];
}
