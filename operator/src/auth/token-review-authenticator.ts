// Who is dialing the table stream? The gateway presents its projected ServiceAccount token; the
// API server says whose it is (TokenReview, audience `switchyard`), and the operator admits only
// the ServiceAccounts named by --gateway-service-account: any pod can mint a token for its own
// ServiceAccount, so a valid token alone proves nothing. Verdicts are cached briefly by the
// token's SHA-256 (never the token), bounded by the token's own expiry.
import { createHash } from 'node:crypto';
import type { KubeClient } from '../kube/kube-client.js';

const TABLE_STREAM_AUDIENCE = 'switchyard';

export type AuthVerdict = { ok: true; serviceAccount: string; username: string } | { ok: false; status: 401 | 403 | 503; reason: string };

export interface TokenReviewAuthenticatorOptions {
  client: Pick<KubeClient, 'create'>;
  /** `<namespace>/<name>` of each ServiceAccount gateways run as. */
  allowedServiceAccounts: readonly string[];
  audience?: string;
  /** How long an accepted token is trusted before asking again. Default 60 s. */
  cacheTtlMs?: number;
  /** How long a rejected token stays rejected. Default 10 s. */
  negativeCacheTtlMs?: number;
  now?: () => number;
}

interface TokenReviewResponse {
  status?: {
    authenticated?: boolean;
    user?: { username?: string };
    audiences?: string[];
    error?: string;
  };
}

interface CacheEntry {
  verdict: AuthVerdict;
  expiresAt: number;
}

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
const MAX_CACHE_ENTRIES = 10_000;

export class TokenReviewAuthenticator {
  private readonly allowed: Set<string>;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly audience: string;
  private readonly now: () => number;

  constructor(private readonly options: TokenReviewAuthenticatorOptions) {
    this.allowed = new Set(options.allowedServiceAccounts);
    this.audience = options.audience ?? TABLE_STREAM_AUDIENCE;
    this.now = options.now ?? Date.now;
  }

  /** Takes the raw Authorization header value. */
  async authenticate(authorization: string | undefined): Promise<AuthVerdict> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, status: 401, reason: 'missing bearer token' };
    const token = match[1] as string;
    const cacheKey = createHash('sha256').update(token).digest('hex');
    const now = this.now();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > now) return cached.verdict;

    const verdict = await this.review(token);
    if (verdict.ok || verdict.status !== 503) {
      const ttl = verdict.ok ? (this.options.cacheTtlMs ?? 60_000) : (this.options.negativeCacheTtlMs ?? 10_000);
      const expiry = tokenExpiryMs(token);
      const expiresAt = Math.min(now + ttl, expiry ?? Number.POSITIVE_INFINITY);
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.evictExpired(now);
      if (this.cache.size < MAX_CACHE_ENTRIES) this.cache.set(cacheKey, { verdict, expiresAt });
    }
    return verdict;
  }

  private async review(token: string): Promise<AuthVerdict> {
    let response: TokenReviewResponse;
    try {
      response = await this.options.client.create<TokenReviewResponse>('/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, audiences: [this.audience] },
      });
    } catch (error) {
      return { ok: false, status: 503, reason: `token review unavailable: ${error instanceof Error ? error.message : String(error)}` };
    }
    const status = response.status ?? {};
    if (status.authenticated !== true) return { ok: false, status: 401, reason: 'token not valid for audience switchyard' };
    if (status.audiences && !status.audiences.includes(this.audience))
      return { ok: false, status: 401, reason: 'token not valid for audience switchyard' };
    const username = status.user?.username ?? '';
    if (!username.startsWith(SERVICE_ACCOUNT_PREFIX))
      return { ok: false, status: 403, reason: `${username || 'the caller'} is not a ServiceAccount` };
    const [namespace, name] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
    const serviceAccount = `${namespace}/${name}`;
    if (!this.allowed.has(serviceAccount)) {
      return {
        ok: false,
        status: 403,
        reason: `ServiceAccount ${serviceAccount} is not a gateway ServiceAccount (--gateway-service-account)`,
      };
    }
    return { ok: true, serviceAccount, username };
  }

  private evictExpired(now: number): void {
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
  }
}

/** The `exp` claim of a JWT in ms, read without verifying (the API server did that). */
export function tokenExpiryMs(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
