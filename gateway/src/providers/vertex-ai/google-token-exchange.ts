// POST the signed assertion to the service account's token endpoint (the JWT bearer grant) and
// read back the access token. It goes out through the gateway's transport, so the egress guard
// and connection pools apply to the token endpoint like to any provider.
//
// Failures are classified like upstream answers: a 4xx is the credential's problem (AuthError,
// with Google's `error_description`: a disabled account, a deleted key, a clock off by more
// than Google allows); a 5xx, a timeout or a connect error is worth another attempt.

import { EventEmitter } from 'node:events';
import { redactSecrets } from '@switchyard/compiler';
import { classifyTransportError } from '../../transport/transport-errors.js';
import type { BufferedUpstreamResponse, UpstreamTransport } from '../../transport/upstream-transport.js';
import { failureKindForStatus, retryAfterMsFromHeaders, UpstreamFailure } from '../../errors/upstream-failure.js';
import type { ServiceAccountKey } from './service-account-key.js';

const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
const MAX_ERROR_DESCRIPTION_CHARS = 300;

export interface IssuedAccessToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** What the exchange needs from the attempt that started it. */
interface TokenExchangeOptions {
  transport: UpstreamTransport;
  timeouts: { connectMs: number; firstByteMs: number; streamIdleMs: number };
}

/**
 * One token request. It has its own deadline (the route's first-byte timeout) rather than the
 * starting attempt's abort signal: requests waiting for the same refresh share it, and one
 * client going away must not fail the others.
 */
export async function exchangeJwtAssertion(
  assertion: string,
  key: ServiceAccountKey,
  options: TokenExchangeOptions,
): Promise<IssuedAccessToken> {
  const abort = new TokenRequestAbort();
  const timer = setTimeout(
    () => abort.abort(new UpstreamFailure('Timeout', 0, `no answer within ${options.timeouts.firstByteMs} ms`)),
    options.timeouts.firstByteMs,
  );
  let response: BufferedUpstreamResponse;
  try {
    response = await options.transport.sendBuffered(
      {
        url: key.tokenUri,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT_TYPE, assertion }).toString(),
      },
      { connectMs: options.timeouts.connectMs, bodyIdleMs: options.timeouts.streamIdleMs },
      abort,
      { maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES, maxErrorBodyBytes: MAX_TOKEN_RESPONSE_BYTES },
    );
  } catch (error) {
    const reason = abort.aborted ? abort.reason : error;
    const failure = classifyTransportError(reason, options.timeouts);
    throw new UpstreamFailure(failure.kind, failure.status, `token endpoint: ${failure.message}`);
  } finally {
    clearTimeout(timer);
  }
  const text = response.body.toString('utf8');
  if (response.status < 200 || response.status >= 300) throw tokenEndpointFailure(response.status, response.headers, text);
  return parseTokenResponse(response.status, text);
}

export function parseTokenResponse(status: number, text: string): IssuedAccessToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UpstreamFailure('ServerError', status, 'token endpoint answered with a body that is not JSON');
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const accessToken = fields['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '')
    throw new UpstreamFailure('ServerError', status, 'token endpoint answered without an access_token');
  const tokenType = fields['token_type'];
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') {
    throw new UpstreamFailure('AuthError', status, `token endpoint issued a ${tokenType.slice(0, 20)} token, not a Bearer token`);
  }
  const expiresIn = fields['expires_in'];
  // Google always says; without it, assume its standard one-hour lifetime.
  const expiresInSeconds = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600;
  return { accessToken, expiresInSeconds };
}

/** A refused exchange: OAuth's `{error, error_description}`, or whatever a proxy answered. */
export function tokenEndpointFailure(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
): UpstreamFailure {
  const retryAfterMs = retryAfterMsFromHeaders(headers);
  const options = retryAfterMs === undefined ? {} : { retryAfterMs };
  // 400/401/403 are all the credential's problem here (invalid_grant, unauthorized_client), not the caller's request.
  const kind = status >= 400 && status < 500 && status !== 429 && status !== 408 ? 'AuthError' : failureKindForStatus(status);
  return new UpstreamFailure(
    kind,
    status,
    `token endpoint refused the service account (HTTP ${status}${describeOAuthError(text)})`,
    options,
  );
}

function describeOAuthError(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const snippet = text.trim().slice(0, MAX_ERROR_DESCRIPTION_CHARS);
    return snippet === '' ? '' : `: ${redactSecrets(snippet)}`;
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const error = typeof fields['error'] === 'string' ? fields['error'] : undefined;
  const description = typeof fields['error_description'] === 'string' ? fields['error_description'] : undefined;
  const parts = [error, description].filter((p): p is string => p !== undefined && p !== '');
  return parts.length === 0 ? '' : `: ${redactSecrets(parts.join(': ').slice(0, MAX_ERROR_DESCRIPTION_CHARS))}`;
}

/** The abort signal shape the transport listens to, owned by one token request. */
class TokenRequestAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}
