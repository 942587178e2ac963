// A non-2xx Anthropic answer (or an `event: error` inside a stream) -> classified UpstreamFailure.
// The error `type` decides the class; the HTTP status is the fallback when the body is not
// Anthropic's (a proxy or load balancer answered).

import { parseAnthropicErrorBody, statusForAnthropicErrorType, type ParsedAnthropicError } from './anthropic-error-body.js';
import { redactSecrets } from '@switchyard/compiler';
import type { UpstreamHeaders } from '../../unified/provider-codec.js';
import { failureKindForStatus, retryAfterMsFromHeaders, UpstreamFailure, type UpstreamFailureKind } from '../../errors/upstream-failure.js';

const KIND_BY_ERROR_TYPE: Record<string, UpstreamFailureKind> = {
  invalid_request_error: 'BadRequest',
  request_too_large: 'BadRequest',
  authentication_error: 'AuthError',
  permission_error: 'AuthError',
  // The gateway's Anthropic account cannot pay: a credential problem, like a revoked key.
  billing_error: 'AuthError',
  not_found_error: 'NotFound',
  rate_limit_error: 'RateLimited',
  overloaded_error: 'ServerError',
  api_error: 'ServerError',
  timeout_error: 'Timeout',
};

const MAX_UNPARSED_BODY_CHARS = 200;

export function decodeAnthropicError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamFailure {
  const parsed = parseAnthropicErrorBody(bodyText);
  const retryAfterMs = retryAfterMsFromHeaders(headers);
  const options = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (parsed === undefined) {
    const snippet = bodyText.trim().slice(0, MAX_UNPARSED_BODY_CHARS);
    const message = snippet === '' ? `anthropic answered HTTP ${status}` : `anthropic answered HTTP ${status}: ${redactSecrets(snippet)}`;
    return new UpstreamFailure(failureKindForStatus(status), status, message, options);
  }
  return failureFromAnthropicError(parsed, status, options);
}

/** An `event: error` frame: there is no HTTP status, so the error type's documented one stands in. */
export function decodeAnthropicStreamError(parsed: ParsedAnthropicError): UpstreamFailure {
  return failureFromAnthropicError(parsed, statusForAnthropicErrorType(parsed.type) ?? 500, {});
}

function failureFromAnthropicError(parsed: ParsedAnthropicError, status: number, options: { retryAfterMs?: number }): UpstreamFailure {
  const kind = Object.hasOwn(KIND_BY_ERROR_TYPE, parsed.type)
    ? (KIND_BY_ERROR_TYPE[parsed.type] as UpstreamFailureKind)
    : failureKindForStatus(status);
  // The message is kept verbatim (a 400 passes through to the caller with it), but upstream text
  // goes into logs and client errors, so it never may carry a key.
  const message = parsed.message === '' ? `anthropic ${parsed.type}` : parsed.message;
  return new UpstreamFailure(kind, status, redactSecrets(message), options);
}
