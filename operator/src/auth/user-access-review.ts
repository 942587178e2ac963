// Who is using the console, and what may they read? A person signs in with a Kubernetes token
// (`kubectl create token`, an OIDC id token the API server accepts, a static token): a TokenReview
// with the API server's own audiences says whose it is, and a SubjectAccessReview per namespace
// and resource says whether that identity may `list` it. The console shows only what those
// reviews allow, so its visibility follows the same RBAC that governs `kubectl get`.
// Verdicts are cached briefly (by the token's SHA-256, never the token) so a page refreshing every
// few seconds does not review on every request; a revoked token or a removed RoleBinding takes
// effect within the cache's lifetime.
import { createHash } from 'node:crypto';
import type { KubeClient } from '../kube/kube-client.js';
import { tokenExpiryMs } from './token-review-authenticator.js';

export interface UserIdentity {
  username: string;
  uid: string | undefined;
  groups: string[];
  extra: Record<string, string[]>;
}

export type UserVerdict =
  | { ok: true; user: UserIdentity; expiresAtMs: number | undefined }
  | { ok: false; status: 401 | 503; reason: string };

export interface UserAccessReviewOptions {
  client: Pick<KubeClient, 'create'>;
  /** How long a TokenReview or SubjectAccessReview answer is reused. Default 30 s. */
  cacheTtlMs?: number;
  now?: () => number;
}

interface TokenReviewResponse {
  status?: {
    authenticated?: boolean;
    user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  };
}

interface AccessReviewResponse {
  status?: { allowed?: boolean };
}

const MAX_CACHE_ENTRIES = 10_000;

export class UserAccessReview {
  private readonly tokens = new Map<string, { verdict: UserVerdict; expiresAt: number }>();
  private readonly decisions = new Map<string, { allowed: boolean; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: UserAccessReviewOptions) {
    this.ttlMs = options.cacheTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async authenticate(token: string): Promise<UserVerdict> {
    const key = createHash('sha256').update(token).digest('hex');
    const now = this.now();
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > now) return cached.verdict;
    const verdict = await this.reviewToken(token);
    if (verdict.ok || verdict.status !== 503) {
      const expiry = tokenExpiryMs(token);
      remember(this.tokens, key, { verdict, expiresAt: Math.min(now + this.ttlMs, expiry ?? Number.POSITIVE_INFINITY) }, now);
    }
    return verdict;
  }

  /**
   * Whether `user` may `list` `resource` of `group` in `namespace` (`''`: every namespace).
   * An unreachable API server answers no: the console then shows less, never more.
   */
  async mayList(user: UserIdentity, group: string, resource: string, namespace: string): Promise<boolean> {
    const key = `${createHash('sha256').update(JSON.stringify(user)).digest('hex')}|${group}|${resource}|${namespace}`;
    const now = this.now();
    const cached = this.decisions.get(key);
    if (cached && cached.expiresAt > now) return cached.allowed;
    let allowed: boolean;
    try {
      const response = await this.options.client.create<AccessReviewResponse>('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username,
          ...(user.uid === undefined ? {} : { uid: user.uid }),
          groups: user.groups,
          extra: user.extra,
          resourceAttributes: { namespace, verb: 'list', group, resource },
        },
      });
      allowed = response.status?.allowed === true;
    } catch {
      return false;
    }
    remember(this.decisions, key, { allowed, expiresAt: now + this.ttlMs }, now);
    return allowed;
  }

  private async reviewToken(token: string): Promise<UserVerdict> {
    let response: TokenReviewResponse;
    try {
      // No audiences: the token must be valid for the API server itself, as kubectl's is.
      response = await this.options.client.create<TokenReviewResponse>('/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token },
      });
    } catch (error) {
      return { ok: false, status: 503, reason: `token review unavailable: ${error instanceof Error ? error.message : String(error)}` };
    }
    const status = response.status ?? {};
    const username = status.user?.username;
    if (status.authenticated !== true || !username) return { ok: false, status: 401, reason: 'the API server did not accept this token' };
    return {
      ok: true,
      user: { username, uid: status.user?.uid, groups: status.user?.groups ?? [], extra: status.user?.extra ?? {} },
      expiresAtMs: tokenExpiryMs(token),
    };
  }
}

function remember<V extends { expiresAt: number }>(cache: Map<string, V>, key: string, value: V, now: number): void {
  if (cache.size >= MAX_CACHE_ENTRIES) for (const [k, v] of cache) if (v.expiresAt <= now) cache.delete(k);
  if (cache.size < MAX_CACHE_ENTRIES) cache.set(key, value);
}
