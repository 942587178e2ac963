// A cache hit costs nothing: the budget covering the key is charged for the answer that went
// upstream and not again for the answers served from the cache.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { budgetObject, metricValue } from '../governance/governance-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  cachedRoute,
  keyObjects,
  manifestsOf,
  openAIClient,
  startCountingUpstream,
  testKey,
  type CountingUpstream,
} from './cache-fixtures.js';

const key = testKey('cachebudget');

describe('a cache hit is not charged', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startCountingUpstream();
    gateway = await startGateway({
      manifests: {
        'all.yaml': manifestsOf(
          ...keyObjects({ name: 'charged', key, labels: { team: 'cache' } }),
          budgetObject({ name: 'cache-team', matchLabels: { team: 'cache' }, limit: '10.00', period: 'Total' }),
          ...cachedRoute({
            name: 'priced',
            upstreamUrl: upstream.server.url,
            cache: { ttl: '10m' },
            pricing: { inputPerMillion: '1000', outputPerMillion: '2000' },
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('charges the budget once for one upstream answer served three times', async () => {
    const client = openAIClient(gateway, key);
    const ask = () =>
      client.chat.completions
        .create({ model: 'priced', messages: [{ role: 'user', content: 'how much?' }], max_tokens: 20 })
        .withResponse();
    const first = await ask();
    // 12 input tokens at $1000/M plus 7 output tokens at $2000/M.
    expect(first.response.headers.get('x-switchyard-cost-usd')).toBe('0.026');
    const spentAfterMiss = await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/cache-team' });
    expect(spentAfterMiss).toBeCloseTo(0.026, 9);
    for (let i = 0; i < 2; i++) {
      const hit = await ask();
      expect(hit.response.headers.get('x-switchyard-cache')).toBe('hit');
    }
    expect(upstream.calls()).toBe(1);
    expect(await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/cache-team' })).toBeCloseTo(0.026, 9);
  });
});
