// With --redis-url, answers are kept in Redis: two gateway processes share an entry, and Redis
// going away turns lookups into misses, never failed requests.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../governance/redis-server-process.js';
import {
  cachedRoute,
  keyObjects,
  manifestsOf,
  openAIClient,
  startCountingUpstream,
  testKey,
  type CountingUpstream,
} from './cache-fixtures.js';

const key = testKey('cacheredis');

function redisEntries(redis: RedisServer): number {
  const output = spawnSync('redis-cli', ['-p', String(redis.port), 'dbsize'], { encoding: 'utf8', timeout: 5_000 });
  return Number(output.stdout.trim());
}
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

describeWithRedis('response cache in Redis', () => {
  let redis: RedisServer;
  let upstream: CountingUpstream;
  let first: GatewayProcess;
  let second: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startCountingUpstream();
    const manifests = {
      'all.yaml': manifestsOf(
        ...keyObjects({ name: 'redis', key }),
        ...cachedRoute({ name: 'cached', upstreamUrl: upstream.server.url, cache: { ttl: '10m' } }),
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

  const ask = async (gateway: GatewayProcess, question: string) => {
    const { data, response } = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: question }] })
      .withResponse();
    return { cache: response.headers.get('x-switchyard-cache'), text: data.choices[0]?.message.content };
  };

  it('an answer stored by one gateway is served by the other', async () => {
    const before = upstream.calls();
    const stored = await ask(first, 'shared across replicas');
    expect(stored.cache).toBe('miss');
    // The gateway stores after it has answered; until the entry is in Redis, the second gateway
    // would miss, call upstream itself and store a different answer.
    await eventually(async () => redisEntries(redis) >= 1);
    let served: { cache: string | null; text: string | null | undefined } | undefined;
    await eventually(async () => (served = await ask(second, 'shared across replicas')).cache === 'hit');
    expect(served?.text).toBe(stored.text);
    expect(upstream.calls() - before).toBeLessThanOrEqual(2);
  });

  it('Redis down: misses, not failures; back up: hits again', async () => {
    await redis.kill();
    const before = upstream.calls();
    const down1 = await ask(first, 'while redis is down');
    const down2 = await ask(first, 'while redis is down');
    expect([down1.cache, down2.cache]).toEqual(['miss', 'miss']);
    expect(upstream.calls() - before).toBe(2);
    // Log lines leave in batches (up to 20 ms): wait for the warning, with a deadline.
    await eventually(async () => first.logs().includes('response cache: Redis unavailable'));
    await redis.restart();
    // A fresh question each round: a round that straddles the reconnect must not poison the next.
    let round = 0;
    await eventually(async () => {
      round += 1;
      const question = `after redis is back, round ${round}`;
      await ask(first, question);
      return (await ask(first, question)).cache === 'hit';
    }, 15_000);
  });
});
