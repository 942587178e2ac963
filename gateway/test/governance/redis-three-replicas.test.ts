// Three gateway processes sharing one real Redis behave as one gateway: a 100 requests/minute
// key admits 100 of 300 requests spread over them (not 300), and 50 concurrent requests against
// a small budget admit exactly the reservations that fit, whichever replica they reach.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  budgetObject,
  documents,
  governedKey,
  HELLO,
  metricValue,
  openAIClient,
  postJson,
  pricedMockBackend,
  routeObject,
  testKey,
} from './governance-fixtures.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from './redis-server-process.js';

const limitedKey = testKey('replicasrpm');
const budgetedKey = testKey('replicasbudget');
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;
if (!redisServerAvailable()) console.warn('redis-server not installed: three-replica tests skipped (scripts/test.sh installs it)');

describeWithRedis('three gateways sharing Redis', () => {
  let redis: RedisServer;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const manifests = {
      'keys.yaml': documents(
        ...governedKey({ name: 'limited', key: limitedKey, rateLimit: { requestsPerMinute: 100 } }),
        ...governedKey({ name: 'budgeted', key: budgetedKey, labels: { pool: 'shared' } }),
      ),
      'budget.yaml': documents(budgetObject({ name: 'shared-pool', matchLabels: { pool: 'shared' }, limit: '0.0129', period: 'Total' })),
      'routes.yaml': documents(
        routeObject({ name: 'fast', backends: [pricedMockBackend('mock-fast', { inputPerMillion: '1', outputPerMillion: '1' })] }),
        routeObject({
          name: 'slow-metered',
          backends: [
            pricedMockBackend(
              'mock-metered',
              { inputPerMillion: '10', outputPerMillion: '10' },
              { response: 'abcd'.repeat(100), latency: '300ms' },
            ),
          ],
        }),
      ),
    };
    for (let i = 0; i < 3; i++) gateways.push(await startGateway({ manifests, args: ['--redis-url', redis.url] }));
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await redis?.stop();
  });

  it('admits exactly 100 of 300 requests spread over the three replicas under 100 requests per minute', async () => {
    const statuses: number[] = [];
    // 30 at a time, round-robin over the replicas.
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          postJson(gateways[(batch * 30 + i) % 3] as GatewayProcess, '/v1/chat/completions', limitedKey, {
            model: 'fast',
            messages: HELLO,
          }),
        ),
      );
      statuses.push(...responses.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200);
    // Every replica admitted some and refused some: the limit is shared, not split.
    for (const gateway of gateways) {
      expect(await metricValue(gateway, 'switchyard_requests_total', { key: 'default/limited', status: '200' })).toBeGreaterThan(0);
      expect(await metricValue(gateway, 'switchyard_rate_limited_total', { key: 'default/limited', limit: 'requests' })).toBeGreaterThan(0);
    }
  });

  it('shares the x-ratelimit view: any replica reports the same remaining', async () => {
    const response = await postJson(gateways[2] as GatewayProcess, '/v1/chat/completions', limitedKey, { model: 'fast', messages: HELLO });
    expect(response.status).toBe(429);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('admits exactly 10 of 50 concurrent requests over three replicas against a budget with room for 10 reservations', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        openAIClient(gateways[i % 3] as GatewayProcess, budgetedKey, { timeoutMs: 30_000 }).chat.completions.create({
          model: 'slow-metered',
          messages: HELLO,
          max_tokens: 100,
        }),
      ),
    );
    const admitted = results.filter((r) => r.status === 'fulfilled').length;
    expect(admitted).toBe(10);
    await new Promise((r) => setTimeout(r, 200));
    const spent = (await metricValue(gateways[0] as GatewayProcess, 'switchyard_budget_spent_usd', {
      budget: 'default/shared-pool',
    })) as number;
    expect(spent).toBeCloseTo(10 * 0.00102, 12);
    console.log(
      `[overshoot] Redis, 3 replicas: 50 concurrent, ${admitted} admitted, spent $${spent.toFixed(6)} of $0.0129, overshoot $${Math.max(0, spent - 0.0129).toFixed(6)}`,
    );
    // Every replica sees the same spend.
    for (const gateway of gateways)
      expect(await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/shared-pool' })).toBeCloseTo(spent, 12);
  });
});
