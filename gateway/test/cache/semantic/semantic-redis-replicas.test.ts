// With --redis-url, vectors are kept in Redis beside the exact entries: a question answered by
// one gateway is served to a paraphrase asked of another, as soon as the first has stored it.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../../support/eventually.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../../governance/redis-server-process.js';
import {
  ask,
  embedderRoute,
  keyObjects,
  manifestsOf,
  semanticRoute,
  startCountingUpstream,
  testKey,
  type CountingUpstream,
} from './semantic-fixtures.js';

const key = testKey('semredisreplicas');

function semanticPartitions(redis: RedisServer): number {
  const output = spawnSync('redis-cli', ['-p', String(redis.port), '--scan', '--pattern', 'switchyard:semcache:*'], {
    encoding: 'utf8',
    timeout: 5_000,
  });
  return output.stdout.split('\n').filter((line) => line.trim() !== '').length;
}

const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

describeWithRedis('semantic cache shared through Redis', () => {
  let redis: RedisServer;
  let upstream: CountingUpstream;
  let first: GatewayProcess;
  let second: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startCountingUpstream();
    const manifests = {
      'all.yaml': manifestsOf(
        ...keyObjects({ name: 'replicas', key }),
        embedderRoute(),
        ...semanticRoute({ name: 'chat', upstreamUrl: upstream.server.url }),
      ),
    };
    first = await startGateway({ manifests, args: ['--redis-url', redis.url, '--redis-timeout', '200ms'] });
    second = await startGateway({ manifests, args: ['--redis-url', redis.url, '--redis-timeout', '200ms'] });
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await upstream?.close();
    await redis?.stop();
  });

  it("one replica's answer serves a paraphrase asked of the other", async () => {
    const stored = await ask(first, key, 'chat', 'How do I check disk space on Ubuntu?');
    expect(stored.cache).toBe('miss');
    // The vector is written right after the answer; the other replica sees it once it is in Redis.
    await eventually(async () => semanticPartitions(redis) >= 1);
    const callsBefore = upstream.calls();
    const paraphrase = await ask(second, key, 'chat', 'How can I check the disk space on Ubuntu?');
    expect(paraphrase.cache).toBe('semantic-hit');
    expect(paraphrase.text).toBe(stored.text);
    expect(upstream.calls()).toBe(callsBefore);
  });
});
