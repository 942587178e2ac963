import type { RetryableFailure } from '@switchyard/compiler';

/**
 * How an upstream attempt failed, classified so the retry stage can decide by policy
 * (`retry.on`) and the final error can name each attempt.
 */
export type UpstreamFailureKind =
  | RetryableFailure // RateLimited | ServerError | Timeout | ConnectError
  | 'BadRequest' // 400/422: passed through to the caller, never retried
  | 'AuthError' // 401/403 upstream: the gateway's credential problem -> 502
  | 'NotFound' // 404 upstream (wrong model id / deployment) -> 502
  | 'StreamBroken' // failure after the stream began
  | 'Other';

export class UpstreamFailure extends Error {
  readonly kind: UpstreamFailureKind;
  /** Upstream HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** Milliseconds the upstream asked us to wait (retry-after / retry-after-ms / RetryInfo). */
  readonly retryAfterMs: number | undefined;
  /** Field named by the upstream for 400s, when it names one. */
  readonly param: string | undefined;

  constructor(
    kind: UpstreamFailureKind,
    status: number,
    message: string,
    options: { retryAfterMs?: number; param?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UpstreamFailure';
    this.kind = kind;
    this.status = status;
    this.retryAfterMs = options.retryAfterMs;
    this.param = options.param;
  }
}

/** Default classification of an upstream HTTP status; adapters refine it from the body. */
export function failureKindForStatus(status: number): UpstreamFailureKind {
  if (status === 429) return 'RateLimited';
  if (status === 400 || status === 422 || status === 413) return 'BadRequest';
  if (status === 401 || status === 403) return 'AuthError';
  if (status === 404) return 'NotFound';
  if (status === 408) return 'Timeout';
  if (status >= 500) return 'ServerError';
  return 'Other';
}

/** Parses `retry-after` (seconds or HTTP date) and `retry-after-ms` headers. */
export function retryAfterMsFromHeaders(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = first(headers['retry-after']);
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
