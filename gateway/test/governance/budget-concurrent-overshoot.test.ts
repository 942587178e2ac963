// 50 concurrent requests against a small Block budget: reservations are taken atomically at
// admission, so the budget admits exactly what its room holds and spend never passes the limit
// while estimates hold (the reservation is an upper bound). When an upstream bills more than its
// reservation (here: usage beyond max_tokens), the overshoot is at most what those in-flight
// requests went over their reservations. The measured figures are printed for the report.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  budgetObject,
  documents,
  governedKey,
  HELLO,
  metricValue,
  openAIBackend,
  openAIClient,
  pricedMockBackend,
  routeObject,
  secretObject,
  testKey,
} from './governance-fixtures.js';

const honestKey = testKey('overshoothonest');
const overKey = testKey('overshootover');
const LONG_ANSWER = 'abcd'.repeat(100);
// $10 per million tokens; max_tokens 100: reservation (29 + 100) tokens = $0.00129.
const RESERVATION_USD = 0.00129;
const LIMIT_USD = 0.0129; // room for exactly 10 reservations

async function fire(gateway: GatewayProcess, key: string, model: string): Promise<{ admitted: number; refused: number }> {
  const client = openAIClient(gateway, key, { timeoutMs: 30_000 });
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, () => client.chat.completions.create({ model, messages: HELLO, max_tokens: 100 })),
  );
  const refused = results.filter((r) => r.status === 'rejected');
  for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 429, code: 'budget_exceeded' });
  return { admitted: results.length - refused.length, refused: refused.length };
}

describe('budget: 50 concurrent requests', () => {
  let gateway: GatewayProcess;
  let upstream: OpenAIMockServer;

  beforeAll(async () => {
    // Bills 300 output tokens whatever max_tokens says, 300 ms after the request.
    upstream = await startOpenAIMockServer({
      apiKey: null,
      defaultReply: { content: 'long', usage: { prompt_tokens: 2, completion_tokens: 300 }, delayMs: 300 },
    });
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(
          ...governedKey({ name: 'honest', key: honestKey, labels: { pool: 'honest' } }),
          ...governedKey({ name: 'over', key: overKey, labels: { pool: 'over' } }),
        ),
        'budgets.yaml': documents(
          budgetObject({ name: 'honest-pool', matchLabels: { pool: 'honest' }, limit: String(LIMIT_USD), period: 'Total' }),
          budgetObject({ name: 'over-pool', matchLabels: { pool: 'over' }, limit: String(LIMIT_USD), period: 'Total' }),
        ),
        'routes.yaml': documents(
          routeObject({
            name: 'slow-metered',
            backends: [
              pricedMockBackend(
                'mock-metered',
                { inputPerMillion: '10', outputPerMillion: '10' },
                { response: LONG_ANSWER, latency: '300ms' },
              ),
            ],
          }),
          routeObject({
            name: 'overbilling',
            backends: [{ ...openAIBackend('overbiller', upstream.url), pricing: { inputPerMillion: '10', outputPerMillion: '10' } }],
          }),
          secretObject('openai', { apiKey: 'sk-upstream-test-0123456789' }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('admits exactly the reservations that fit and never spends past the limit when usage stays within the estimate', async () => {
    const { admitted, refused } = await fire(gateway, honestKey, 'slow-metered');
    expect(admitted).toBe(10);
    expect(refused).toBe(40);
    const spent = (await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/honest-pool' })) as number;
    // 10 x (2 + 100) tokens x $10 per million
    expect(spent).toBeCloseTo(0.0102, 12);
    const overshoot = Math.max(0, spent - LIMIT_USD);
    expect(overshoot).toBe(0);
    console.log(
      `[overshoot] honest estimates: 50 concurrent, ${admitted} admitted, spent $${spent.toFixed(6)} of $${LIMIT_USD}, overshoot $${overshoot.toFixed(6)}`,
    );
  });

  it('bounds the overshoot by what in-flight requests billed beyond their reservations', async () => {
    const { admitted } = await fire(gateway, overKey, 'overbilling');
    expect(admitted).toBe(10);
    const spent = (await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/over-pool' })) as number;
    const perRequest = (2 + 300) * 10e-6;
    expect(spent).toBeCloseTo(admitted * perRequest, 12);
    const overshoot = spent - LIMIT_USD;
    const bound = admitted * (perRequest - RESERVATION_USD);
    expect(overshoot).toBeLessThanOrEqual(bound + 1e-12);
    console.log(
      `[overshoot] upstream billing 300 tokens beyond max_tokens 100: ${admitted} admitted, spent $${spent.toFixed(6)} of $${LIMIT_USD}, overshoot $${overshoot.toFixed(6)} (bound: in-flight excess over reservations $${bound.toFixed(6)})`,
    );
    // Spent is now past the limit: the next request is refused as exhausted.
    await expect(
      openAIClient(gateway, overKey).chat.completions.create({ model: 'overbilling', messages: HELLO, max_tokens: 1 }),
    ).rejects.toMatchObject({ status: 429, message: expect.stringContaining('is exhausted') });
  });
});
