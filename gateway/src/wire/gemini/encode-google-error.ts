// GatewayError -> Google's error envelope, for the Gemini front door: the canonical status name
// for the HTTP code, ErrorInfo carrying the gateway's error code, BadRequest naming the field,
// RetryInfo mirroring retry-after (what Google SDKs read to back off).

import type { GatewayError } from '../../errors/gateway-error.js';
import type { EncodedError } from '../../unified/front-door-codec.js';
import type { GoogleErrorBody, GoogleErrorDetail } from './gemini-wire-types.js';

const STATUS_BY_CODE: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  // The canonical code for "this operation is not supported here"; the HTTP status stays 405.
  405: 'UNIMPLEMENTED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  422: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

function googleStatusForHttpCode(code: number): string {
  return STATUS_BY_CODE[code] ?? (code >= 500 ? 'INTERNAL' : code >= 400 ? 'FAILED_PRECONDITION' : 'UNKNOWN');
}

export function googleErrorBody(error: GatewayError): GoogleErrorBody {
  const details: GoogleErrorDetail[] = [];
  if (error.code !== undefined) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: error.code.toUpperCase().replace(/[^A-Z0-9]+/g, '_'),
      domain: 'switchyard.dev',
    });
  }
  if (error.param !== undefined) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: error.param, description: error.message }],
    });
  }
  if (error.retryAfterSeconds !== undefined) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${error.retryAfterSeconds}s` });
  }
  const body: GoogleErrorBody = { error: { code: error.status, message: error.message, status: googleStatusForHttpCode(error.status) } };
  if (details.length > 0) body.error.details = details;
  return body;
}

export function encodeGoogleError(error: GatewayError): EncodedError {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8', ...error.headers };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.kind === 'budget_exceeded' && headers['x-should-retry'] === undefined) headers['x-should-retry'] = 'false';
  return { status: error.status, headers, body: JSON.stringify(googleErrorBody(error)) };
}
