// Stage 2, authenticate: find the virtual key by the SHA-256 digest of what the caller sent
// (the table holds digests only) and refuse unknown, disabled and expired keys.
import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import type { RuntimeKey, RuntimeTable } from '../table/runtime-table.js';

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

/** The key the caller presented, active or not; unknown and missing keys are refused (401). */
export function identifyKey(table: RuntimeTable, headers: IncomingHttpHeaders): RuntimeKey {
  const presented = presentedKey(headers);
  if (presented === undefined) {
    throw new GatewayError('authentication', 'missing API key: send it as "Authorization: Bearer <key>", "x-api-key" or "x-goog-api-key"', {
      code: 'missing_api_key',
    });
  }
  const key = table.keysByDigest.get(keyDigest(presented));
  if (key === undefined) throw new GatewayError('authentication', 'invalid API key', { code: 'invalid_api_key' });
  return key;
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
