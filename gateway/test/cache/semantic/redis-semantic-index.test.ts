// The Redis semantic index against a real redis-server: vectors round-trip as float32, the best
// match at or above the threshold wins, a partition keeps at most maxEntries (the newest), the
// same answer stored again replaces its vector, expired items are neither served nor kept, and
// two indexes (two replicas) share one partition.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createLogger } from '@switchyard/compiler';
import { GovernanceMetrics } from '../../../src/governance/governance-metrics.js';
import { connectRedis, type RedisConnection } from '../../../src/redis/redis-connection.js';
import { RedisSemanticIndex } from '../../../src/cache/semantic/redis-semantic-index.js';
import { similarity, unitVector } from '../../../src/cache/semantic/vectors.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../../governance/redis-server-process.js';

const quiet = createLogger({ write: () => undefined });
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;
const v = (...values: number[]): Float32Array => unitVector(values) as Float32Array;

describeWithRedis('Redis semantic index', () => {
  let server: RedisServer;
  let redis: RedisConnection;
  let now = 1_000_000;
  let index: RedisSemanticIndex;
  let partitionCounter = 0;
  const partition = (): string => `p${++partitionCounter}`;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = connectRedis({ url: server.url, timeoutMs: 2_000, logger: quiet, metrics: new GovernanceMetrics(new Registry()) });
    await redis.waitReady(5_000);
    index = new RedisSemanticIndex({ redis, logger: quiet, nowMs: () => now });
  });
  afterAll(async () => {
    await redis?.close();
    await server?.stop();
  });

  it('finds the most similar entry at or above the threshold, with its exact similarity', async () => {
    const p = partition();
    await index.add(p, { vector: v(1, 0, 0), answerKey: 'x' }, 60_000, 10);
    await index.add(p, { vector: v(1, 1, 0), answerKey: 'y' }, 60_000, 10);
    const query = v(1, 0.9, 0.1);
    const match = await index.search(p, query, 0.5);
    expect(match?.answerKey).toBe('y');
    expect(match?.similarity).toBeCloseTo(similarity(query, v(1, 1, 0)), 6);
    expect(await index.search(p, v(0, 0, 1), 0.5)).toBeUndefined();
    expect(await index.search(partition(), query, 0.5)).toBeUndefined();
  });

  it('keeps the newest maxEntries and replaces an answer stored again', async () => {
    const p = partition();
    for (let i = 0; i < 5; i++) await index.add(p, { vector: v(1, i), answerKey: `k${i}` }, 60_000, 3);
    expect(await index.search(p, v(1, 0), 0.9999)).toBeUndefined();
    expect((await index.search(p, v(1, 4), 0.9999))?.answerKey).toBe('k4');
    await index.add(p, { vector: v(0, 1, 5), answerKey: 'k4' }, 60_000, 3);
    expect(await index.search(p, v(1, 4), 0.9999)).toBeUndefined();
    expect((await index.search(p, v(0, 1, 5), 0.9999))?.answerKey).toBe('k4');
  });

  it('does not serve an entry past its ttl', async () => {
    const p = partition();
    await index.add(p, { vector: v(1, 0), answerKey: 'x' }, 1_000, 10);
    expect((await index.search(p, v(1, 0), 0.9))?.answerKey).toBe('x');
    now += 1_000;
    expect(await index.search(p, v(1, 0), 0.9)).toBeUndefined();
  });

  it('is shared by two indexes on the same Redis', async () => {
    const other = new RedisSemanticIndex({ redis, logger: quiet, nowMs: () => now });
    const p = partition();
    await index.add(p, { vector: v(3, 4), answerKey: 'shared' }, 60_000, 10);
    expect((await other.search(p, v(3, 4), 0.99))?.answerKey).toBe('shared');
  });
});
