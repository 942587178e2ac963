// The rate limiter shared by every gateway on one Redis: each admission and settlement is one
// atomic script, so three replicas under a 100 requests/minute key admit 100 in a minute, not 300.
import { randomUUID } from 'node:crypto';
import {
  RATE_WINDOW_MS,
  tokenSlotEnd,
  type RateLimitGrant,
  type RateLimitOutcome,
  type RateLimitRequest,
  type RateLimiter,
  type RateLimitState,
  type RefusedLimit,
} from '../rate-limit/rate-limiter.js';
import type { RedisConnection } from '../../redis/redis-connection.js';
import { ACQUIRE_RATE, SETTLE_RATE } from './rate-limit-scripts.js';
import type { SettlementRetryQueue } from './settlement-retry-queue.js';

function rateLimitKeys(keyId: string): string[] {
  const tag = `{sy:rl:${keyId}}`;
  return [`${tag}:requests`, `${tag}:tokens`, `${tag}:inflight`, `${tag}:held`];
}

export class RedisRateLimiter implements RateLimiter {
  private readonly bootId = randomUUID();
  private seq = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly retries: SettlementRetryQueue,
  ) {}

  async acquire(request: RateLimitRequest): Promise<RateLimitOutcome> {
    const { limits, nowMs } = request;
    const keys = rateLimitKeys(request.keyId);
    const id = `${this.bootId}:${++this.seq}`;
    const tokens = Math.max(0, Math.ceil(request.tokens));
    const reply = (await this.redis.run(ACQUIRE_RATE, keys, [
      nowMs,
      RATE_WINDOW_MS,
      limits.requestsPerMinute ?? -1,
      limits.tokensPerMinute ?? -1,
      limits.concurrentRequests ?? -1,
      tokens,
      id,
      nowMs + request.leaseMs,
    ])) as [string, number, number, number, number, number, number];
    const [refused, limit, retryAfterMs, count, used, newestRequest, newestSlot] = reply;
    const state: RateLimitState = {};
    if (limits.requestsPerMinute !== undefined) {
      state.requests = {
        limit: limits.requestsPerMinute,
        remaining: Math.max(0, limits.requestsPerMinute - Number(count)),
        resetMs: Number(newestRequest) < 0 ? 0 : Math.max(0, Number(newestRequest) + RATE_WINDOW_MS - nowMs),
      };
    }
    if (limits.tokensPerMinute !== undefined) {
      state.tokens = {
        limit: limits.tokensPerMinute,
        remaining: Math.max(0, limits.tokensPerMinute - Number(used)),
        resetMs: Number(newestSlot) < 0 ? 0 : Math.max(0, Number(newestSlot) + RATE_WINDOW_MS - nowMs),
      };
    }
    if (refused !== '') {
      return { admitted: false, refused: refused as RefusedLimit, limit: Number(limit), retryAfterMs: Number(retryAfterMs), state };
    }
    const grant: RateLimitGrant = {
      settle: (actualTokens, settledAtMs) => this.settle(keys, id, actualTokens, settledAtMs, false),
      cancel: (cancelledAtMs) => this.settle(keys, id, undefined, cancelledAtMs, true),
    };
    return { admitted: true, grant, state };
  }

  private settle(keys: string[], id: string, actualTokens: number | undefined, nowMs: number, cancel: boolean): void {
    const args = [
      id,
      actualTokens === undefined ? -1 : Math.max(0, Math.round(actualTokens)),
      tokenSlotEnd(nowMs),
      RATE_WINDOW_MS,
      cancel ? '1' : '0',
    ];
    // Settlement must not be lost when Redis blips: a failed one is retried (the script applies it once).
    this.retries.run('rate limit settle', () => this.redis.run(SETTLE_RATE, keys, args));
  }
}
