// One error type for everything the gateway refuses or fails; each front door renders it in
// its caller's format (OpenAI, Anthropic, Google) with the same status.
import { reflected } from './reflected-input.js';

export type GatewayErrorKind =
  | 'invalid_request' // 400
  | 'authentication' // 401
  | 'permission' // 403
  | 'not_found' // 404
  | 'method_not_allowed' // 405, with an `allow` header
  | 'payload_too_large' // 413
  | 'rate_limited' // 429
  | 'budget_exceeded' // 429, x-should-retry: false
  | 'upstream_failed' // 502
  | 'no_backend' // 503
  | 'upstream_timeout' // 504
  | 'upstream_bad_request' // upstream 400/422 passed through with its status
  | 'internal'; // 500

const STATUS_BY_KIND: Record<Exclude<GatewayErrorKind, 'upstream_bad_request'>, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  rate_limited: 429,
  budget_exceeded: 429,
  upstream_failed: 502,
  no_backend: 503,
  upstream_timeout: 504,
  internal: 500,
};

interface GatewayErrorOptions {
  /** The request field at fault (400s), e.g. `messages[2].content`. */
  param?: string;
  /** Machine-readable code (OpenAI `error.code`), e.g. `model_not_found`, `budget_exceeded`. */
  code?: string;
  /** HTTP status override; only for `upstream_bad_request`, which keeps the upstream's. */
  status?: number;
  /** Seconds the caller should wait (sent as `retry-after`). */
  retryAfterSeconds?: number;
  /** Extra response headers (e.g. `x-ratelimit-*`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * The longest message (and `param`) an error carries. Where a message repeats caller input it
 * cuts that input with `reflected()`; this bound is the backstop for every other message built
 * from caller or upstream text, since each one reaches the caller's answer and the log line.
 */
const MAX_ERROR_MESSAGE_CHARS = 2048;
/** Room for a field path already cut by `reflected()` (256 characters and its length note). */
const MAX_PARAM_CHARS = 512;

export class GatewayError extends Error {
  readonly kind: GatewayErrorKind;
  readonly status: number;
  readonly param: string | undefined;
  readonly code: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Record<string, string>;

  constructor(kind: GatewayErrorKind, message: string, options: GatewayErrorOptions = {}) {
    super(reflected(message, MAX_ERROR_MESSAGE_CHARS), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.kind = kind;
    this.status = kind === 'upstream_bad_request' ? (options.status ?? 400) : STATUS_BY_KIND[kind];
    this.param = options.param === undefined ? undefined : reflected(options.param, MAX_PARAM_CHARS);
    this.code = options.code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }
}

export function invalidRequest(message: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, param === undefined ? {} : { param });
}

export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('internal', 'internal gateway error', { cause: error });
}
