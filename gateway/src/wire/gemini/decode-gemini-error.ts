// Google's error envelope `{error: {code, message, status, details}}` -> UpstreamFailure.
// The canonical `status` decides the class where the HTTP code alone would mislead: an invalid
// API key comes back as 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID, which is
// the gateway's credential problem (AuthError -> 502), not the caller's bad request.

import { redactSecrets } from '@switchyard/compiler';
import type { UpstreamHeaders } from '../../unified/provider-codec.js';
import { failureKindForStatus, retryAfterMsFromHeaders, UpstreamFailure, type UpstreamFailureKind } from '../../errors/upstream-failure.js';
import type { GoogleErrorBody, GoogleErrorDetail } from './gemini-wire-types.js';

export type GoogleError = GoogleErrorBody['error'];

const KIND_BY_STATUS: Record<string, UpstreamFailureKind> = {
  INVALID_ARGUMENT: 'BadRequest',
  FAILED_PRECONDITION: 'BadRequest',
  OUT_OF_RANGE: 'BadRequest',
  UNAUTHENTICATED: 'AuthError',
  PERMISSION_DENIED: 'AuthError',
  NOT_FOUND: 'NotFound',
  RESOURCE_EXHAUSTED: 'RateLimited',
  UNAVAILABLE: 'ServerError',
  INTERNAL: 'ServerError',
  UNKNOWN: 'ServerError',
  DATA_LOSS: 'ServerError',
  ABORTED: 'ServerError',
  DEADLINE_EXCEEDED: 'Timeout',
};

const CREDENTIAL_REASONS = new Set([
  'API_KEY_INVALID',
  'API_KEY_EXPIRED',
  'API_KEY_SERVICE_BLOCKED',
  'API_KEY_HTTP_REFERRER_BLOCKED',
  'API_KEY_IP_ADDRESS_BLOCKED',
]);

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

/**
 * Classifies a non-2xx answer in Google's error envelope. `service` names the API in messages
 * that have no text of their own (`Vertex AI` for the Vertex adapter, which shares this).
 */
export function decodeGeminiError(status: number, headers: UpstreamHeaders, bodyText: string, service = 'Gemini'): UpstreamFailure {
  const error = parseGoogleError(bodyText);
  if (error === undefined) {
    const excerpt = redactSecrets(bodyText.trim().slice(0, 300));
    const retryAfterMs = retryAfterMsFromHeaders(headers);
    return new UpstreamFailure(
      failureKindForStatus(status),
      status,
      `${service} returned HTTP ${status}${excerpt === '' ? '' : `: ${excerpt}`}`,
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
  }
  return upstreamFailureFromGoogleError(error, status, headers, service);
}

/** Also used for an error object that arrives inside a stream, where `status` is the HTTP 200 of the stream. */
export function upstreamFailureFromGoogleError(
  error: GoogleError,
  status: number,
  headers: UpstreamHeaders = {},
  service = 'Gemini',
): UpstreamFailure {
  const httpStatus = status >= 400 ? status : typeof error.code === 'number' ? error.code : status;
  const details = error.details ?? [];
  let kind = KIND_BY_STATUS[error.status] ?? failureKindForStatus(httpStatus);
  const reason = details.find((d) => d['@type'] === ERROR_INFO)?.['reason'];
  if (typeof reason === 'string' && CREDENTIAL_REASONS.has(reason)) kind = 'AuthError';

  const options: { retryAfterMs?: number; param?: string } = {};
  const retryDelay = details.find((d) => d['@type'] === RETRY_INFO)?.['retryDelay'];
  const retryAfterMs = (typeof retryDelay === 'string' ? parseGoogleDuration(retryDelay) : undefined) ?? retryAfterMsFromHeaders(headers);
  if (retryAfterMs !== undefined) options.retryAfterMs = retryAfterMs;
  const field = firstFieldViolation(details);
  if (field !== undefined) options.param = field;

  const message = redactSecrets(error.message === '' ? `${service} returned ${error.status || `HTTP ${httpStatus}`}` : error.message);
  return new UpstreamFailure(kind, httpStatus, message, options);
}

/** Reads Google's error envelope (also the `[{error}]` array form of JSON-array streams). */
function parseGoogleError(bodyText: string): GoogleError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  return googleErrorFromJson(Array.isArray(parsed) ? parsed[0] : parsed);
}

export function googleErrorFromJson(value: unknown): GoogleError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, status, details } = error as Record<string, unknown>;
  return {
    code: typeof code === 'number' ? code : 0,
    message: typeof message === 'string' ? message : '',
    status: typeof status === 'string' ? status : '',
    details: Array.isArray(details) ? details.filter(isDetail) : [],
  };
}

/** Parses a protobuf Duration in JSON form (`"34.4s"`, `"1s"`, `"0.250s"`) into whole milliseconds. */
export function parseGoogleDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(text);
  return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]) * 1000);
}

function firstFieldViolation(details: GoogleErrorDetail[]): string | undefined {
  const badRequest = details.find((d) => d['@type'] === BAD_REQUEST);
  const violations = badRequest?.['fieldViolations'];
  if (!Array.isArray(violations)) return undefined;
  for (const violation of violations) {
    const field = (violation as { field?: unknown } | null)?.field;
    if (typeof field === 'string' && field !== '') return field;
  }
  return undefined;
}

function isDetail(value: unknown): value is GoogleErrorDetail {
  return typeof value === 'object' && value !== null && typeof (value as { '@type'?: unknown })['@type'] === 'string';
}
