// GatewayError -> OpenAI's error body, status and headers. Types follow OpenAI's vocabulary so
// SDK code that branches on `error.type` keeps working.

import type { GatewayError, GatewayErrorKind } from '../../errors/gateway-error.js';
import type { OpenAIErrorBody } from './openai-chat-types.js';
import type { EncodedError } from '../../unified/front-door-codec.js';

const TYPE_BY_KIND: Record<GatewayErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  // OpenAI answers a wrong method on a known URL with a 405 of this type.
  method_not_allowed: 'invalid_request_error',
  payload_too_large: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  budget_exceeded: 'insufficient_quota',
  upstream_failed: 'api_error',
  no_backend: 'api_error',
  upstream_timeout: 'timeout_error',
  upstream_bad_request: 'invalid_request_error',
  internal: 'api_error',
};

/** A code for kinds whose meaning a client may want to branch on when the error carries none. */
const DEFAULT_CODE_BY_KIND: Partial<Record<GatewayErrorKind, string>> = {
  authentication: 'invalid_api_key',
  not_found: 'model_not_found',
  payload_too_large: 'request_too_large',
  rate_limited: 'rate_limit_exceeded',
  budget_exceeded: 'budget_exceeded',
  upstream_failed: 'upstream_failed',
  no_backend: 'no_backend_available',
  upstream_timeout: 'upstream_timeout',
};

export function openAIErrorBody(error: GatewayError): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: TYPE_BY_KIND[error.kind],
      code: error.code ?? DEFAULT_CODE_BY_KIND[error.kind] ?? null,
      param: error.param ?? null,
    },
  };
}

export function encodeOpenAIError(error: GatewayError): EncodedError {
  const headers: Record<string, string> = { ...error.headers, 'content-type': 'application/json' };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(error.retryAfterSeconds)));
  // SDKs retry 429s by default; an exhausted budget will not recover within their backoff.
  if (error.kind === 'budget_exceeded') headers['x-should-retry'] = 'false';
  return { status: error.status, headers, body: JSON.stringify(openAIErrorBody(error)) };
}
