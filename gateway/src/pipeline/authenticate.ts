// Stage 2, authenticate: find the virtual key by the SHA-256 digest of what the caller sent
// (the table holds digests only), or, when what was sent is a JWT no key has as its secret, by
// the token's subject (VirtualKey spec.subjects, governance/identity); refuse unknown, disabled
// and expired keys. A virtual key is answered synchronously, so only token callers pay an await.
import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import { looksLikeJwt } from '../governance/identity/jwt.js';
import type { CallerIdentity } from '../governance/identity/caller-identity.js';
import type { TokenAuthenticator } from '../governance/identity/token-authenticator.js';
import type { RuntimeKey, RuntimeTable } from '../table/runtime-table.js';
import type { Exchange } from './exchange.js';

/** The key from `Authorization: Bearer`, `x-api-key` (Anthropic SDKs) or `x-goog-api-key` (Google SDKs). */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    const token = authorization.slice(7).trim();
    if (token.length > 0) return token;
  }
  const apiKey = headers['x-api-key'] ?? headers['x-goog-api-key'];
  const value = Array.isArray(apiKey) ? apiKey[0] : apiKey;
  return value !== undefined && value.length > 0 ? value.trim() : undefined;
}

function keyDigest(key: string): string {
  // The one-shot form skips the Hash object: a few times faster on the hot path.
  return hash('sha256', key, 'hex');
}

/** A key's caller identity, the same object for every request of one runtime key (nothing changes it). */
const keyIdentities = new WeakMap<RuntimeKey, CallerIdentity>();

function keyIdentity(key: RuntimeKey): CallerIdentity {
  let identity = keyIdentities.get(key);
  if (identity === undefined) {
    identity = Object.freeze({ kind: 'key', subject: key.id });
    keyIdentities.set(key, identity);
  }
  return identity;
}

/**
 * The key the caller presented (its secret, or a token one of its subjects holds), active or not;
 * unknown and missing keys are refused (401), a valid token no key binds too (403). Sets
 * `exchange.identity`. A Promise only for tokens.
 */
export function identifyKey(
  table: RuntimeTable,
  exchange: Exchange,
  tokens: TokenAuthenticator | undefined,
  counted: (kind: string, result: string) => void,
): RuntimeKey | Promise<RuntimeKey> {
  const presented = presentedKey(exchange.req.headers);
  if (presented === undefined) {
    throw new GatewayError(
      'authentication',
      'missing API key: send it (or a token bound by a VirtualKey) as "Authorization: Bearer <key>", "x-api-key" or "x-goog-api-key"',
      { code: 'missing_api_key' },
    );
  }
  const key = table.keysByDigest.get(keyDigest(presented));
  if (key !== undefined) {
    exchange.identity = keyIdentity(key);
    return key;
  }
  if (tokens !== undefined && looksLikeJwt(presented)) {
    return tokens
      .authenticate(table, presented, (identity) => {
        exchange.identity = identity;
      })
      .then(
        (found) => {
          counted(exchange.identity?.kind ?? 'unknown', 'accepted');
          return found.key;
        },
        (error: unknown) => {
          // The result label is the refusal's code: a fixed set (invalid_token, token_expired, ...).
          const code = error instanceof GatewayError ? (error.code ?? error.kind) : 'internal';
          counted(exchange.identity?.kind ?? 'unknown', code);
          throw error;
        },
      );
  }
  throw new GatewayError('authentication', 'invalid API key', { code: 'invalid_api_key' });
}

/** Refuses disabled and expired keys (401, like OpenAI's revoked keys); split from identifyKey so the log line can name them. */
export function checkKeyActive(key: RuntimeKey, nowMs: number): void {
  if (key.compiled.disabled) throw new GatewayError('authentication', `API key ${key.id} is disabled`, { code: 'api_key_disabled' });
  const expiresAtMs = key.compiled.expiresAtMs;
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) {
    throw new GatewayError('authentication', `API key ${key.id} expired at ${new Date(expiresAtMs).toISOString()}`, {
      code: 'api_key_expired',
    });
  }
}
