// The single-process limiter: exact sliding minute for requests, settled tokens plus held
// estimates for tokens, in-flight count for concurrency; all-or-nothing; headers' state.
import { describe, expect, it } from '@jest/globals';
import type { CompiledRateLimit } from '@switchyard/compiler';
import { InProcessRateLimiter } from '../../src/governance/rate-limit/in-process-rate-limiter.js';
import type { RateLimitOutcome } from '../../src/governance/rate-limit/rate-limiter.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');

function acquire(limiter: InProcessRateLimiter, limits: CompiledRateLimit, nowMs: number, tokens = 0): RateLimitOutcome {
  return limiter.acquire({ keyId: 'default/k', limits, tokens, nowMs, leaseMs: 600_000 });
}

function admitted(outcome: RateLimitOutcome): Extract<RateLimitOutcome, { admitted: true }> {
  if (!outcome.admitted) throw new Error(`refused: ${outcome.refused}`);
  return outcome;
}

describe('in-process rate limiter: requests per minute', () => {
  it('admits exactly the limit in any 60 s window, and the next one when the oldest leaves', () => {
    const limiter = new InProcessRateLimiter();
    const limits = { requestsPerMinute: 5 };
    for (let i = 0; i < 5; i++) expect(acquire(limiter, limits, T0 + i * 1000).admitted).toBe(true);
    const refused = acquire(limiter, limits, T0 + 30_000);
    expect(refused).toMatchObject({ admitted: false, refused: 'requests', limit: 5, retryAfterMs: 30_000 });
    expect(acquire(limiter, limits, T0 + 59_999).admitted).toBe(false);
    // The first admission (T0) is out of the window (T0 + 60 000 - 60 000, exclusive) at T0 + 60 000.
    expect(acquire(limiter, limits, T0 + 60_000).admitted).toBe(true);
    expect(acquire(limiter, limits, T0 + 60_500)).toMatchObject({ admitted: false, retryAfterMs: 500 });
  });

  it('reports remaining and the time until the window is empty', () => {
    const limiter = new InProcessRateLimiter();
    acquire(limiter, { requestsPerMinute: 3 }, T0);
    const second = admitted(acquire(limiter, { requestsPerMinute: 3 }, T0 + 10_000));
    expect(second.state.requests).toEqual({ limit: 3, remaining: 1, resetMs: 60_000 });
  });

  it('keeps each key apart', () => {
    const limiter = new InProcessRateLimiter();
    expect(limiter.acquire({ keyId: 'a', limits: { requestsPerMinute: 1 }, tokens: 0, nowMs: T0, leaseMs: 1 }).admitted).toBe(true);
    expect(limiter.acquire({ keyId: 'b', limits: { requestsPerMinute: 1 }, tokens: 0, nowMs: T0, leaseMs: 1 }).admitted).toBe(true);
    expect(limiter.acquire({ keyId: 'a', limits: { requestsPerMinute: 1 }, tokens: 0, nowMs: T0, leaseMs: 1 }).admitted).toBe(false);
  });

  it('cancel undoes an admission completely', () => {
    const limiter = new InProcessRateLimiter();
    const limits = { requestsPerMinute: 1, concurrentRequests: 1, tokensPerMinute: 100 };
    admitted(acquire(limiter, limits, T0, 100)).grant.cancel(T0);
    expect(acquire(limiter, limits, T0 + 1, 100).admitted).toBe(true);
  });
});

describe('in-process rate limiter: tokens per minute', () => {
  it('holds estimates while in flight and replaces them with the real tokens at settlement', () => {
    const limiter = new InProcessRateLimiter();
    const limits = { tokensPerMinute: 1000 };
    const first = admitted(acquire(limiter, limits, T0, 400));
    admitted(acquire(limiter, limits, T0, 400));
    // 400 + 400 held, 400 more does not fit; only in-flight requests hold it, so retry soon.
    expect(acquire(limiter, limits, T0, 400)).toMatchObject({ admitted: false, refused: 'tokens', limit: 1000, retryAfterMs: 1000 });
    first.grant.settle(100, T0 + 200);
    const third = admitted(acquire(limiter, limits, T0 + 300, 400));
    expect(third.state.tokens).toMatchObject({ limit: 1000, remaining: 100 });
  });

  it('keeps settled tokens for 60 s from the end of their 1 s slot, never less', () => {
    const limiter = new InProcessRateLimiter();
    const limits = { tokensPerMinute: 1000 };
    admitted(acquire(limiter, limits, T0 + 1_500, 0)).grant.settle(900, T0 + 1_500); // slot ends T0 + 2 000
    const refused = acquire(limiter, limits, T0 + 30_000, 200);
    expect(refused).toMatchObject({ admitted: false, refused: 'tokens', retryAfterMs: 2_000 + 60_000 - 30_000 });
    expect(acquire(limiter, limits, T0 + 61_999, 200).admitted).toBe(false);
    expect(acquire(limiter, limits, T0 + 62_000, 200).admitted).toBe(true);
  });

  it('refuses for good a request whose estimate alone exceeds the limit', () => {
    const limiter = new InProcessRateLimiter();
    expect(acquire(limiter, { tokensPerMinute: 1000 }, T0, 1001)).toMatchObject({
      admitted: false,
      refused: 'tokens_exceed_limit',
      limit: 1000,
    });
  });

  it('releases the estimate without charging tokens when the call failed', () => {
    const limiter = new InProcessRateLimiter();
    const limits = { tokensPerMinute: 1000 };
    admitted(acquire(limiter, limits, T0, 1000)).grant.settle(undefined, T0 + 10);
    expect(acquire(limiter, limits, T0 + 20, 1000).admitted).toBe(true);
  });
});

describe('in-process rate limiter: concurrency', () => {
  it('admits up to the limit in flight and one more after a settlement', () => {
    const limiter = new InProcessRateLimiter();
    const limits = { concurrentRequests: 2 };
    const first = admitted(acquire(limiter, limits, T0));
    admitted(acquire(limiter, limits, T0));
    expect(acquire(limiter, limits, T0)).toMatchObject({ admitted: false, refused: 'concurrency', limit: 2 });
    first.grant.settle(0, T0 + 5);
    first.grant.settle(0, T0 + 5); // a second settle changes nothing
    expect(acquire(limiter, limits, T0 + 6).admitted).toBe(true);
    expect(acquire(limiter, limits, T0 + 6).admitted).toBe(false);
  });

  it('checks every limit before taking anything', () => {
    const limiter = new InProcessRateLimiter();
    const limits = { requestsPerMinute: 10, concurrentRequests: 10, tokensPerMinute: 100 };
    admitted(acquire(limiter, limits, T0, 100));
    expect(acquire(limiter, limits, T0, 1).admitted).toBe(false);
    // The refused request took no request slot.
    const state = admitted(acquire(new InProcessRateLimiter(), limits, T0, 1)).state;
    expect(state.requests?.remaining).toBe(9);
  });

  it('forgets idle keys on sweep', () => {
    const limiter = new InProcessRateLimiter();
    admitted(acquire(limiter, { requestsPerMinute: 1 }, T0)).grant.settle(0, T0);
    limiter.sweep(T0 + 30_000);
    expect(limiter.trackedKeys).toBe(1);
    limiter.sweep(T0 + 61_000);
    expect(limiter.trackedKeys).toBe(0);
  });
});
