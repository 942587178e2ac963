// Anthropic's error JSON, `{"type":"error","error":{"type","message"}}`, in both directions:
// read from an upstream answer, written by the Anthropic front door (as a response body or as
// an `event: error` frame once a stream has begun).

import type { GatewayError, GatewayErrorKind } from '../../errors/gateway-error.js';
import type { EncodedError } from '../../unified/front-door-codec.js';
import { formatSseEvent } from '../sse/index.js';
import type { AnthropicErrorBody, AnthropicErrorType } from './anthropic-messages-types.js';
import { isRecord, stringField } from '@switchyard/compiler';

export interface ParsedAnthropicError {
  type: string;
  message: string;
  requestId?: string;
}

/** Reads an Anthropic error body; undefined when the text is not one (e.g. a proxy's HTML page). */
export function parseAnthropicErrorBody(text: string): ParsedAnthropicError | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return readAnthropicError(json);
}

/** The `{type:"error", error:{...}}` object, already parsed (stream `event: error` data). */
export function readAnthropicError(json: unknown): ParsedAnthropicError | undefined {
  if (!isRecord(json) || !isRecord(json['error'])) return undefined;
  const error = json['error'];
  const type = stringField(error, 'type');
  const message = stringField(error, 'message');
  if (type === undefined && message === undefined) return undefined;
  const parsed: ParsedAnthropicError = { type: type ?? 'api_error', message: message ?? '' };
  const requestId = stringField(json, 'request_id');
  if (requestId !== undefined) parsed.requestId = requestId;
  return parsed;
}

const STATUS_BY_ERROR_TYPE: Record<AnthropicErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The HTTP status Anthropic pairs with an error type (what an `event: error` would have been). */
export function statusForAnthropicErrorType(type: string): number | undefined {
  return Object.hasOwn(STATUS_BY_ERROR_TYPE, type) ? STATUS_BY_ERROR_TYPE[type as AnthropicErrorType] : undefined;
}

const ERROR_TYPE_BY_KIND: Record<GatewayErrorKind, AnthropicErrorType> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  // Anthropic's error types have no method error; the status (405) says which it is.
  method_not_allowed: 'invalid_request_error',
  payload_too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  // Anthropic has no budget error; the status stays 429 and `x-should-retry: false` stops SDK retries.
  budget_exceeded: 'rate_limit_error',
  upstream_failed: 'api_error',
  no_backend: 'overloaded_error',
  upstream_timeout: 'timeout_error',
  upstream_bad_request: 'invalid_request_error',
  internal: 'api_error',
};

function anthropicErrorTypeForGatewayError(error: GatewayError): AnthropicErrorType {
  return ERROR_TYPE_BY_KIND[error.kind];
}

function anthropicErrorBody(error: GatewayError, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: 'error', error: { type: anthropicErrorTypeForGatewayError(error), message: error.message } };
  if (requestId !== undefined) body.request_id = requestId;
  return body;
}

/** A GatewayError as the Anthropic front door's HTTP answer; the status is the gateway's. */
export function encodeAnthropicError(error: GatewayError, requestId?: string): EncodedError {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...error.headers };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(error.retryAfterSeconds)));
  if (error.kind === 'budget_exceeded') headers['x-should-retry'] = 'false';
  return { status: error.status, headers, body: JSON.stringify(anthropicErrorBody(error, requestId)) };
}

/** The `event: error` frame that ends an Anthropic stream which failed after its first byte. */
export function formatAnthropicStreamError(error: GatewayError, requestId?: string): string {
  return formatSseEvent(JSON.stringify(anthropicErrorBody(error, requestId)), 'error');
}
