// The Redis rate limiter against a real redis-server: several limiter instances (as several
// gateways would hold) share one exact window; leases reclaim what a crashed holder kept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { GovernanceMetrics } from '../../src/governance/governance-metrics.js';
import type { RateLimitOutcome } from '../../src/governance/rate-limit/rate-limiter.js';
import { connectRedis, type RedisConnection } from '../../src/redis/redis-connection.js';
import { RedisRateLimiter } from '../../src/governance/redis/redis-rate-limiter.js';
import { SettlementRetryQueue } from '../../src/governance/redis/settlement-retry-queue.js';
import { createLogger } from '@switchyard/compiler';
import { redisServerAvailable, startRedisServer, type RedisServer } from './redis-server-process.js';

const quiet = createLogger({ write: () => undefined });
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;
if (!redisServerAvailable()) console.warn('redis-server not installed: Redis rate-limiter tests skipped (scripts/test.sh installs it)');

function admitted(outcome: RateLimitOutcome): Extract<RateLimitOutcome, { admitted: true }> {
  if (!outcome.admitted) throw new Error(`refused: ${outcome.refused}`);
  return outcome;
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

describeWithRedis('Redis rate limiter', () => {
  let server: RedisServer;
  const connections: RedisConnection[] = [];
  let keyCounter = 0;

  async function replicas(count: number): Promise<RedisRateLimiter[]> {
    const limiters: RedisRateLimiter[] = [];
    for (let i = 0; i < count; i++) {
      const redis = connectRedis({ url: server.url, timeoutMs: 2_000, logger: quiet, metrics: new GovernanceMetrics(new Registry()) });
      await redis.waitReady(5_000);
      connections.push(redis);
      limiters.push(new RedisRateLimiter(redis, new SettlementRetryQueue(redis, quiet)));
    }
    return limiters;
  }

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const connection of connections) await connection.close();
    await server?.stop();
  });

  it('admits exactly 100 of 300 concurrent requests spread over three limiters under 100 requests per minute', async () => {
    const limiters = await replicas(3);
    const keyId = `default/shared-${++keyCounter}`;
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        (limiters[i % 3] as RedisRateLimiter).acquire({
          keyId,
          limits: { requestsPerMinute: 100 },
          tokens: 0,
          nowMs: T0 + i,
          leaseMs: 60_000,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(100);
    const refused = outcomes.find((o) => !o.admitted);
    expect(refused).toMatchObject({ admitted: false, refused: 'requests', limit: 100 });
    // Still full just before the earliest admission leaves the window; room again a minute after the last.
    expect(
      (
        await (limiters[0] as RedisRateLimiter).acquire({
          keyId,
          limits: { requestsPerMinute: 100 },
          tokens: 0,
          nowMs: T0 + 59_999,
          leaseMs: 60_000,
        })
      ).admitted,
    ).toBe(false);
    expect(
      (
        await (limiters[0] as RedisRateLimiter).acquire({
          keyId,
          limits: { requestsPerMinute: 100 },
          tokens: 0,
          nowMs: T0 + 60_300,
          leaseMs: 60_000,
        })
      ).admitted,
    ).toBe(true);
  });

  it('holds token estimates and settles real tokens, once', async () => {
    const [limiter] = (await replicas(1)) as [RedisRateLimiter];
    const keyId = `default/tokens-${++keyCounter}`;
    const limits = { tokensPerMinute: 1000 };
    const first = admitted(await limiter.acquire({ keyId, limits, tokens: 600, nowMs: T0, leaseMs: 60_000 }));
    expect(await limiter.acquire({ keyId, limits, tokens: 600, nowMs: T0, leaseMs: 60_000 })).toMatchObject({
      admitted: false,
      refused: 'tokens',
    });
    first.grant.settle(100, T0 + 1_500);
    first.grant.settle(100, T0 + 1_500);
    await flush();
    const second = admitted(await limiter.acquire({ keyId, limits, tokens: 600, nowMs: T0 + 2_000, leaseMs: 60_000 }));
    expect(second.state.tokens).toMatchObject({ limit: 1000, remaining: 300, resetMs: 60_000 });
    second.grant.settle(800, T0 + 2_100);
    await flush();
    // 100 (slot ending T0+2 000) + 800 (slot ending T0+3 000) settled; 200 more fits only once the first slot leaves.
    expect(await limiter.acquire({ keyId, limits, tokens: 200, nowMs: T0 + 10_000, leaseMs: 60_000 })).toMatchObject({
      admitted: false,
      refused: 'tokens',
      retryAfterMs: 2_000 + 60_000 - 10_000,
    });
    expect(await limiter.acquire({ keyId, limits, tokens: 2_000, nowMs: T0 + 10_000, leaseMs: 60_000 })).toMatchObject({
      admitted: false,
      refused: 'tokens_exceed_limit',
    });
  });

  it('counts concurrency across limiters, cancels completely, and reclaims expired leases', async () => {
    const [a, b] = (await replicas(2)) as [RedisRateLimiter, RedisRateLimiter];
    const keyId = `default/conc-${++keyCounter}`;
    const limits = { concurrentRequests: 2, requestsPerMinute: 10 };
    const held = admitted(await a.acquire({ keyId, limits, tokens: 0, nowMs: T0, leaseMs: 5_000 }));
    admitted(await b.acquire({ keyId, limits, tokens: 0, nowMs: T0, leaseMs: 5_000 }));
    expect(await a.acquire({ keyId, limits, tokens: 0, nowMs: T0 + 1, leaseMs: 5_000 })).toMatchObject({
      admitted: false,
      refused: 'concurrency',
    });
    held.grant.cancel(T0 + 2);
    await flush();
    const third = admitted(await b.acquire({ keyId, limits, tokens: 0, nowMs: T0 + 3, leaseMs: 5_000 }));
    // The cancelled one gave its request back too: 2 of 10 used.
    expect(third.state.requests?.remaining).toBe(8);
    // Both holders "crash" (never settle); their leases end at T0+5 000 and T0+5 003.
    expect(await a.acquire({ keyId, limits, tokens: 0, nowMs: T0 + 4_000, leaseMs: 5_000 })).toMatchObject({
      admitted: false,
      refused: 'concurrency',
    });
    expect((await a.acquire({ keyId, limits, tokens: 0, nowMs: T0 + 5_004, leaseMs: 5_000 })).admitted).toBe(true);
  });
});
