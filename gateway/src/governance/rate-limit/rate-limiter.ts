// Per-VirtualKey rate limits: requests per minute, tokens per minute (input + output, settled
// from real usage), concurrent requests. Two implementations share these types: one exact in a
// single process, one exact across processes through Redis.
//
// The model, identical in both:
// - requests: a sliding log of admission times; a request is admitted while fewer than the limit
//   were admitted in the last 60 s. Exact: no 60 s window ever holds more than the limit.
// - tokens: settled tokens are logged in 1 s slots stamped with the slot's end, so they leave the
//   window up to 1 s late and never early; admitted but unsettled requests hold their estimate.
//   A request is admitted while settled-in-window + held + its estimate <= the limit.
// - concurrency: admitted requests not yet settled.
// All checks pass or the request is refused with nothing recorded.
import type { CompiledRateLimit } from '@switchyard/compiler';

export const RATE_WINDOW_MS = 60_000;
const TOKEN_SLOT_MS = 1_000;

export interface RateLimitRequest {
  keyId: string;
  limits: CompiledRateLimit;
  /** Estimated tokens (prompt upper bound + max output) the tokens-per-minute limit must hold. */
  tokens: number;
  nowMs: number;
  /** Shared counters reclaim a holder's share after this long (a crashed gateway never settles). */
  leaseMs: number;
}

/** One dimension's state after the decision, for the `x-ratelimit-*` headers. */
export interface LimitState {
  limit: number;
  remaining: number;
  /** Until the window holds none of today's usage: OpenAI's "resets to its initial state". */
  resetMs: number;
}

export interface RateLimitState {
  requests?: LimitState;
  tokens?: LimitState;
}

export type RefusedLimit = 'requests' | 'tokens' | 'concurrency' | 'tokens_exceed_limit';

export interface RateLimitGrant {
  /** Releases the concurrency slot and the held estimate, and logs the real tokens (none when the call failed). */
  settle(actualTokens: number | undefined, nowMs: number): void;
  /** Undoes the admission completely (another check refused the request). */
  cancel(nowMs: number): void;
}

export type RateLimitOutcome =
  | { admitted: true; grant: RateLimitGrant; state: RateLimitState }
  | { admitted: false; refused: RefusedLimit; limit: number; retryAfterMs: number; state: RateLimitState };

export interface RateLimiter {
  acquire(request: RateLimitRequest): RateLimitOutcome | Promise<RateLimitOutcome>;
}

export function hasRateLimit(limits: CompiledRateLimit | undefined): limits is CompiledRateLimit {
  return (
    limits !== undefined &&
    (limits.requestsPerMinute !== undefined || limits.tokensPerMinute !== undefined || limits.concurrentRequests !== undefined)
  );
}

/** The end of the 1 s slot that `nowMs` falls in: settled tokens are stamped with it. */
export function tokenSlotEnd(nowMs: number): number {
  return Math.floor(nowMs / TOKEN_SLOT_MS) * TOKEN_SLOT_MS + TOKEN_SLOT_MS;
}
