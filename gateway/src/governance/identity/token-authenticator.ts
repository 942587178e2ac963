// Callers with a token of their own instead of a virtual key's secret (VirtualKey spec.subjects,
// docs/tenancy.md): a Kubernetes ServiceAccount's projected token, or a token from any OIDC
// issuer. The token is validated offline against the issuer's published keys (issuer-keys.ts),
// then its claims (iss, aud, exp, nbf; ServiceAccount uid; OIDC claims and groups) are matched
// against the subjects the routing table binds. Error messages name what failed, never the token.
import { hash } from 'node:crypto';
import type { CompiledSubject } from '@switchyard/compiler';
import { GatewayError } from '../../errors/gateway-error.js';
import { reflected } from '../../errors/reflected-input.js';
import type { RuntimeKey, RuntimeTable } from '../../table/runtime-table.js';
import type { CallerIdentity } from './caller-identity.js';
import { IssuerUnavailableError, type JsonFetcher } from './issuer-documents.js';
import { IssuerKeys } from './issuer-keys.js';
import { type DecodedJwt, decodeJwt, signatureValid, TokenInvalidError } from './jwt.js';

/** Default audience ServiceAccount tokens must carry (`--token-audience`). */
export const DEFAULT_TOKEN_AUDIENCE = 'switchyard-gateway';
/** Clock difference tolerated on exp, nbf and iat between the issuer and the gateway. */
const TOKEN_CLOCK_SKEW_MS = 30_000;
/**
 * A token whose signature verified is remembered (by SHA-256) this long, so a caller's repeated
 * requests skip the signature check (tens of microseconds); expiry, audience and binding are still
 * checked on every request. Bounds how long a token signed by a key the issuer withdrew keeps working.
 */
const VERIFIED_TOKEN_TTL_MS = 60_000;
/** Remembered tokens; the memory is cleared when full. */
const MAX_VERIFIED_TOKENS = 10_000;

export interface TokenAuthenticatorOptions {
  /** The audience ServiceAccount tokens must carry. */
  audience: string;
  /** The cluster's ServiceAccount issuer (its tokens' iss); undefined: ServiceAccount tokens are refused. */
  serviceAccountIssuer: string | undefined;
  /** Fetches the ServiceAccount issuer's discovery and JWKS. */
  serviceAccountFetcher: JsonFetcher | undefined;
  /** Fetches OIDC issuers' discovery and JWKS (through the egress guard). */
  oidcFetcher: JsonFetcher;
  nowMs?: () => number;
}

export interface TokenAuthentication {
  key: RuntimeKey;
  identity: CallerIdentity;
}

type OidcSubject = Extract<CompiledSubject, { kind: 'OIDC' }>;

/** The subjects of one table, indexed once per table. */
interface SubjectIndex {
  serviceAccounts: Map<string, { key: RuntimeKey; uid: string | undefined; missing: boolean }>;
  /** Issuer -> its subjects with their keys, in the table's key order. */
  oidc: Map<string, { key: RuntimeKey; subject: OidcSubject }[]>;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function refuse(message: string, code = 'invalid_token'): GatewayError {
  return new GatewayError('authentication', message, { code });
}

export class TokenAuthenticator {
  private readonly indexes = new WeakMap<RuntimeTable, SubjectIndex>();
  private readonly issuers = new Map<string, IssuerKeys>();
  private readonly verified = new Map<string, { payload: Record<string, unknown>; iss: string; atMs: number }>();
  private readonly serviceAccountIssuer: string | undefined;
  private readonly nowMs: () => number;

  constructor(private readonly options: TokenAuthenticatorOptions) {
    this.serviceAccountIssuer = options.serviceAccountIssuer === undefined ? undefined : withoutTrailingSlash(options.serviceAccountIssuer);
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Authenticates a JWT and finds the key that binds its subject; throws a GatewayError (401, 403 or 503). */
  async authenticate(table: RuntimeTable, token: string, seen?: (identity: CallerIdentity) => void): Promise<TokenAuthentication> {
    const digest = hash('sha256', token, 'base64');
    const verified = this.verified.get(digest);
    let payload: Record<string, unknown>;
    let iss: string;
    if (verified !== undefined && this.nowMs() - verified.atMs < VERIFIED_TOKEN_TTL_MS) {
      ({ payload, iss } = verified);
    } else {
      let jwt: DecodedJwt;
      try {
        jwt = decodeJwt(token);
      } catch (error) {
        throw refuse(`invalid token: ${(error as Error).message}`);
      }
      payload = jwt.payload;
      const claimed = typeof payload.iss === 'string' ? withoutTrailingSlash(payload.iss) : undefined;
      if (claimed === undefined) throw refuse('invalid token: it has no iss claim');
      iss = claimed;
      this.checkIssuerKnown(table, iss);
      await this.verifySignature(iss, jwt, iss === this.serviceAccountIssuer);
      if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
      this.verified.set(digest, { payload, iss, atMs: this.nowMs() });
    }
    // Times, audience and binding are checked on every request, cached signature or not.
    this.checkIssuerKnown(table, iss);
    this.checkTimes(payload);
    const index = this.indexOf(table);
    return iss === this.serviceAccountIssuer
      ? this.serviceAccountKey(index, payload, seen)
      : this.oidcKey(iss, index.oidc.get(iss) ?? [], payload, seen);
  }

  private checkIssuerKnown(table: RuntimeTable, iss: string): void {
    if (iss === this.serviceAccountIssuer || this.indexOf(table).oidc.has(iss)) return;
    throw refuse(`token issuer ${reflected(iss, 128)} is neither the cluster's ServiceAccount issuer nor the issuer of any OIDC subject`);
  }

  private indexOf(table: RuntimeTable): SubjectIndex {
    let index = this.indexes.get(table);
    if (index !== undefined) return index;
    index = { serviceAccounts: new Map(), oidc: new Map() };
    for (const key of table.keysWithSubjects) {
      for (const subject of key.compiled.subjects ?? []) {
        if (subject.kind === 'ServiceAccount') {
          index.serviceAccounts.set(`${subject.namespace}/${subject.name}`, { key, uid: subject.uid, missing: subject.missing === true });
        } else {
          const list = index.oidc.get(subject.issuer) ?? [];
          list.push({ key, subject });
          index.oidc.set(subject.issuer, list);
        }
      }
    }
    this.indexes.set(table, index);
    return index;
  }

  private issuerKeys(issuer: string, serviceAccount: boolean): IssuerKeys {
    let keys = this.issuers.get(issuer);
    if (keys === undefined) {
      const fetcher = serviceAccount ? this.options.serviceAccountFetcher : this.options.oidcFetcher;
      if (fetcher === undefined) throw new Error('no fetcher for the ServiceAccount issuer');
      keys = new IssuerKeys(issuer, fetcher, this.nowMs);
      this.issuers.set(issuer, keys);
    }
    return keys;
  }

  private async verifySignature(issuer: string, jwt: DecodedJwt, serviceAccount: boolean): Promise<void> {
    let candidates: Awaited<ReturnType<IssuerKeys['candidates']>>;
    try {
      candidates = await this.issuerKeys(issuer, serviceAccount).candidates(jwt.kid);
    } catch (error) {
      if (error instanceof TokenInvalidError) throw refuse(`invalid token: ${error.message}`);
      if (error instanceof IssuerUnavailableError) {
        throw new GatewayError('no_backend', `cannot check the token: ${error.message}`, { code: 'issuer_unavailable', cause: error });
      }
      throw error;
    }
    if (!candidates.some((key) => signatureValid(jwt, key)))
      throw refuse(`invalid token: its signature does not verify with the keys of issuer ${issuer}`);
  }

  private checkTimes(payload: Record<string, unknown>): void {
    const now = this.nowMs();
    const exp = payload.exp;
    if (typeof exp !== 'number') throw refuse('invalid token: it has no exp claim (tokens without expiry are not accepted)');
    if (exp * 1000 + TOKEN_CLOCK_SKEW_MS <= now) throw refuse(`token expired at ${new Date(exp * 1000).toISOString()}`, 'token_expired');
    const nbf = payload.nbf;
    if (typeof nbf === 'number' && nbf * 1000 - TOKEN_CLOCK_SKEW_MS > now) {
      throw refuse(`token not valid before ${new Date(nbf * 1000).toISOString()}`);
    }
  }

  /** `seen` learns the identity once the token is known to be genuine, so a refusal after that names the caller. */
  private serviceAccountKey(
    index: SubjectIndex,
    payload: Record<string, unknown>,
    seen?: (identity: CallerIdentity) => void,
  ): TokenAuthentication {
    if (!audiences(payload).includes(this.options.audience)) {
      throw refuse(`token audience is not ${this.options.audience} (the gateway's --token-audience); project the token with that audience`);
    }
    const claims = payload['kubernetes.io'];
    const account = isObject(claims) && isObject(claims.serviceaccount) ? claims.serviceaccount : undefined;
    const namespace = isObject(claims) && typeof claims.namespace === 'string' ? claims.namespace : undefined;
    const name = typeof account?.name === 'string' ? account.name : undefined;
    if (namespace === undefined || name === undefined) throw refuse('invalid token: it names no ServiceAccount (kubernetes.io claims)');
    const id = `${namespace}/${name}`;
    const identity: CallerIdentity = { kind: 'ServiceAccount', subject: id };
    seen?.(identity);
    const binding = index.serviceAccounts.get(id);
    if (binding === undefined) {
      throw new GatewayError('permission', `ServiceAccount ${id} is not bound by any VirtualKey (spec.subjects)`, {
        code: 'subject_not_bound',
      });
    }
    // The operator resolved the bound ServiceAccount's uid: a token of a deleted ServiceAccount, or
    // of an earlier one with the same name, carries another uid (or there is none at all).
    if (binding.missing) throw refuse(`token belongs to ServiceAccount ${id}, which does not exist (deleted)`, 'service_account_deleted');
    if (binding.uid !== undefined && account?.uid !== binding.uid) {
      throw refuse(`token belongs to a ServiceAccount ${id} that no longer exists (deleted or recreated)`, 'service_account_deleted');
    }
    return { key: binding.key, identity };
  }

  private oidcKey(
    issuer: string,
    subjects: readonly { key: RuntimeKey; subject: OidcSubject }[],
    payload: Record<string, unknown>,
    seen?: (identity: CallerIdentity) => void,
  ): TokenAuthentication {
    const aud = audiences(payload);
    const sub = typeof payload.sub === 'string' ? reflected(payload.sub, 256) : '';
    const identity: CallerIdentity = { kind: 'OIDC', subject: sub, issuer };
    seen?.(identity);
    let audienceMatched = false;
    for (const { key, subject } of subjects) {
      if (!aud.includes(subject.audience)) continue;
      audienceMatched = true;
      if (!claimsMatch(subject, payload)) continue;
      return { key, identity };
    }
    if (!audienceMatched) throw refuse(`token audience matches no OIDC subject of issuer ${issuer}`);
    throw new GatewayError(
      'permission',
      `token of issuer ${issuer} (sub ${JSON.stringify(sub)}) matches no OIDC subject's claims or groups`,
      {
        code: 'subject_not_bound',
      },
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `aud` is a string or an array of strings (RFC 7519, section 4.1.3). */
function audiences(payload: Record<string, unknown>): string[] {
  const aud = payload.aud;
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((value): value is string => typeof value === 'string') : [];
}

function claimsMatch(subject: OidcSubject, payload: Record<string, unknown>): boolean {
  for (const [claim, value] of Object.entries(subject.claims)) if (payload[claim] !== value) return false;
  if (subject.groups === undefined) return true;
  const raw = payload[subject.groupsClaim];
  const groups = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  return subject.groups.some((group) => groups.includes(group));
}
