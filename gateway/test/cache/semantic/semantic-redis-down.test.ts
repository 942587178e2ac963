// Redis down means misses, never failures: with Redis gone, questions and their paraphrases are
// answered by the upstream (200, `miss`) and a rate-limited warning is logged; once Redis is
// back, paraphrases hit again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../../support/eventually.js';
import type { GatewayProcess } from '../../support/gateway-process.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../../governance/redis-server-process.js';
import { ask, type CountingUpstream, startSemanticGateway, testKey } from './semantic-fixtures.js';

const key = testKey('semredisdown');
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

describeWithRedis('semantic cache with Redis down', () => {
  let redis: RedisServer;
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    ({ upstream, gateway } = await startSemanticGateway({
      keyName: 'down',
      key,
      args: ['--redis-url', redis.url, '--redis-timeout', '200ms'],
    }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await redis?.stop();
  });

  it('misses while Redis is down, hits again once it is back', async () => {
    await redis.kill();
    const callsBefore = upstream.calls();
    const question = await ask(gateway, key, 'chat', 'How do I scale a Kubernetes deployment?');
    const paraphrase = await ask(gateway, key, 'chat', 'How can I scale a deployment in Kubernetes?');
    expect([question.cache, paraphrase.cache]).toEqual(['miss', 'miss']);
    expect(upstream.calls() - callsBefore).toBe(2);
    expect(gateway.logs()).toContain('Redis unavailable');
    await redis.restart();
    // A fresh question each round: a round that straddles the reconnect must not poison the next.
    let round = 0;
    await eventually(async () => {
      round += 1;
      const stored = await ask(gateway, key, 'chat', `How do I read a CSV file in pandas, round ${round}?`);
      await new Promise((r) => setTimeout(r, 50));
      const hit = await ask(gateway, key, 'chat', `How can I load a CSV file with pandas, round ${round}?`);
      return hit.cache === 'semantic-hit' && hit.text === stored.text;
    }, 15_000);
  });
});
