// Bedrock errors: a non-2xx answer carries `{"message": "..."}` and names the error in the
// `x-amzn-errortype` header (`ThrottlingException:http://internal.amazon.com/coral/...`);
// inside a ConverseStream the same failures arrive as exception events.

import { redactSecrets } from '@switchyard/compiler';
import { failureKindForStatus, retryAfterMsFromHeaders, UpstreamFailure, type UpstreamFailureKind } from '../../errors/upstream-failure.js';
import type { UpstreamHeaders } from '../../unified/provider-codec.js';

/** Failure class per AWS error type (case-insensitive: stream exceptions use lowerCamelCase). */
const KIND_BY_ERROR_TYPE: Record<string, UpstreamFailureKind> = {
  throttlingexception: 'RateLimited',
  toomanyrequestsexception: 'RateLimited',
  servicequotaexceededexception: 'RateLimited',
  validationexception: 'BadRequest',
  serializationexception: 'BadRequest',
  accessdeniedexception: 'AuthError',
  unrecognizedclientexception: 'AuthError',
  invalidsignatureexception: 'AuthError',
  incompletesignatureexception: 'AuthError',
  missingauthenticationtokenexception: 'AuthError',
  expiredtokenexception: 'AuthError',
  invalidclienttokenid: 'AuthError',
  signaturedoesnotmatch: 'AuthError',
  resourcenotfoundexception: 'NotFound',
  modelnotreadyexception: 'ServerError',
  modelerrorexception: 'ServerError',
  modelstreamerrorexception: 'ServerError',
  serviceunavailableexception: 'ServerError',
  internalserverexception: 'ServerError',
  internalfailure: 'ServerError',
  modeltimeoutexception: 'Timeout',
  requesttimeoutexception: 'Timeout',
};

/** HTTP status AWS documents for each exception, used for failures reported inside a stream. */
const STATUS_BY_STREAM_EXCEPTION: Record<string, number> = {
  throttlingexception: 429,
  validationexception: 400,
  internalserverexception: 500,
  serviceunavailableexception: 503,
  modelstreamerrorexception: 424,
  modeltimeoutexception: 408,
};

function headerValue(headers: UpstreamHeaders, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** `ValidationException:http://internal...` or `com.amazon.coral.validate#ValidationException` -> `ValidationException`. */
function bareErrorType(value: string): string {
  const withoutNamespace = value.includes('#') ? value.slice(value.lastIndexOf('#') + 1) : value;
  return withoutNamespace.split(':')[0]?.trim() ?? '';
}

/**
 * AWS signature errors echo the canonical request and string to sign, which include the
 * session token; keep only the human part and redact anything key-shaped that remains.
 */
export function sanitizeAwsMessage(message: string): string {
  let text = message;
  const echo = text.search(/\n*\s*The (Canonical String|String-to-Sign) for this request should have been/);
  if (echo >= 0) text = text.slice(0, echo);
  text = text.replace(/(x-amz-security-token[:=]\s*)[^\s',&]+/gi, '$1[REDACTED]');
  text = redactSecrets(text).trim();
  return text.length > 2000 ? `${text.slice(0, 2000)}...` : text;
}

function parseBody(bodyText: string): { message?: string; type?: string } {
  try {
    const body: unknown = JSON.parse(bodyText);
    if (typeof body !== 'object' || body === null) return {};
    const record = body as Record<string, unknown>;
    const message = [record['message'], record['Message'], record['errorMessage']].find((m): m is string => typeof m === 'string');
    const type = [record['__type'], record['code'], record['Code']].find((t): t is string => typeof t === 'string');
    return { ...(message === undefined ? {} : { message }), ...(type === undefined ? {} : { type }) };
  } catch {
    return {};
  }
}

export function decodeBedrockError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamFailure {
  const body = parseBody(bodyText);
  const headerType = headerValue(headers, 'x-amzn-errortype');
  const errorType = bareErrorType(headerType ?? body.type ?? '');
  const kind = KIND_BY_ERROR_TYPE[errorType.toLowerCase()] ?? failureKindForStatus(status);
  const rawMessage = body.message ?? (bodyText.trim() === '' ? `HTTP ${status}` : bodyText.trim());
  const message = sanitizeAwsMessage(errorType ? `${errorType}: ${rawMessage}` : rawMessage);
  const retryAfterMs = retryAfterMsFromHeaders(headers);
  return new UpstreamFailure(kind, status, message, retryAfterMs === undefined ? {} : { retryAfterMs });
}

/** An exception event inside a ConverseStream (`:message-type: exception`). */
export function decodeBedrockStreamException(exceptionType: string, payloadText: string): UpstreamFailure {
  const key = exceptionType.toLowerCase();
  const kind = KIND_BY_ERROR_TYPE[key] ?? 'ServerError';
  const rawMessage = parseBody(payloadText).message ?? (payloadText.trim() || 'no message');
  return new UpstreamFailure(kind, STATUS_BY_STREAM_EXCEPTION[key] ?? 500, sanitizeAwsMessage(`${exceptionType}: ${rawMessage}`));
}
