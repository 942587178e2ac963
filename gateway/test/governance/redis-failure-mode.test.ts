// Redis unreachable: --redis-failure-mode open (the default) admits requests unchecked, closed
// refuses them with 503; both say so in a log line and in metrics, and both recover when Redis
// is back. Spend settled while Redis was away is charged once it returns.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  budgetObject,
  documents,
  governedKey,
  HELLO,
  logRecords,
  metricValue,
  openAIClient,
  pricedMockBackend,
  routeObject,
  testKey,
} from './governance-fixtures.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from './redis-server-process.js';

const key = testKey('redisdown');
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

describeWithRedis('Redis failure mode', () => {
  let redis: RedisServer;
  let open: GatewayProcess;
  let closed: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    const manifests = {
      'keys.yaml': documents(...governedKey({ name: 'down', key, labels: { team: 'down' }, rateLimit: { requestsPerMinute: 1000 } })),
      'budget.yaml': documents(budgetObject({ name: 'down-budget', matchLabels: { team: 'down' }, limit: '10', period: 'Total' })),
      'route.yaml': documents(
        routeObject({ name: 'metered', backends: [pricedMockBackend('mock-metered', { inputPerMillion: '10', outputPerMillion: '10' })] }),
      ),
    };
    open = await startGateway({ manifests, args: ['--redis-url', redis.url, '--redis-timeout', '200ms'] });
    closed = await startGateway({
      manifests,
      args: ['--redis-url', redis.url, '--redis-failure-mode', 'closed', '--redis-timeout', '200ms'],
    });
  });
  afterAll(async () => {
    await open?.stop();
    await closed?.stop();
    await redis?.stop();
  });

  it('serves both while Redis is up', async () => {
    for (const gateway of [open, closed])
      await expect(
        openAIClient(gateway, key).chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 1 }),
      ).resolves.toBeDefined();
    expect(await metricValue(open, 'switchyard_redis_up')).toBe(1);
  });

  it('closed refuses with 503 governance_unavailable, open admits unchecked; both log and count it', async () => {
    await redis.kill();
    await eventually(
      async () => (await metricValue(closed, 'switchyard_redis_up')) === 0 && (await metricValue(open, 'switchyard_redis_up')) === 0,
    );

    const error = (await openAIClient(closed, key)
      .chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 1 })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('governance_unavailable');
    expect(error.message).toContain('--redis-failure-mode is closed');

    // Open: admitted; its cost is queued for Redis.
    for (let i = 0; i < 2; i++)
      await expect(
        openAIClient(open, key).chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 1 }),
      ).resolves.toBeDefined();

    expect(await metricValue(closed, 'switchyard_governance_degraded_total', { mode: 'closed' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(open, 'switchyard_governance_degraded_total', { mode: 'open' })).toBe(2);
    expect(await metricValue(open, 'switchyard_redis_errors_total', { operation: 'rate_limit_acquire' })).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 100));
    for (const gateway of [open, closed]) {
      expect(
        logRecords(gateway).some(
          (r) => r.msg === 'Redis unreachable: rate limits and budgets follow --redis-failure-mode until it is back' && r.level === 'error',
        ),
      ).toBe(true);
    }
    expect(
      logRecords(open).some(
        (r) =>
          r.msg === 'request admitted without rate limits or budget reservation: Redis unreachable and --redis-failure-mode is open' &&
          r.key === 'default/down',
      ),
    ).toBe(true);
    expect(logRecords(closed).some((r) => r.msg === 'request refused: Redis unreachable and --redis-failure-mode is closed')).toBe(true);
  });

  it('recovers when Redis is back, and charges the spend it could not charge before', async () => {
    await redis.restart();
    await eventually(
      async () => (await metricValue(closed, 'switchyard_redis_up')) === 1 && (await metricValue(open, 'switchyard_redis_up')) === 1,
    );
    await expect(
      openAIClient(closed, key).chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 1 }),
    ).resolves.toBeDefined();
    // Redis restarted empty: it now holds the 2 answers queued by the open gateway plus the one just served,
    // 3 x (2 + 1) tokens x $10 per million.
    await eventually(
      async () =>
        Math.abs(((await metricValue(open, 'switchyard_budget_spent_usd', { budget: 'default/down-budget' })) ?? 0) - 0.00009) < 1e-12,
    );
    expect(logRecords(open).some((r) => r.msg === 'queued settlements sent to Redis')).toBe(true);
  });
});
