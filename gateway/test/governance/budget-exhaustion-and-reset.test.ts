// A Block budget through the OpenAI SDK: admitted while it has room for the reservation, then
// 429 budget_exceeded (x-should-retry: false, retry-after until 00:00 UTC, message naming the
// budget) and admitted again when the period resets (test clock).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  budgetObject,
  documents,
  governedKey,
  HELLO,
  metricValue,
  openAIClient,
  pricedMockBackend,
  routeObject,
  scratchDir,
  TestClock,
  testKey,
} from './governance-fixtures.js';

const key = testKey('budgetkey');
// Every answer: 2 input + 100 output tokens at $10 per million each = $0.00102.
const LONG_ANSWER = 'abcd'.repeat(100);

describe('budget exhaustion and reset', () => {
  let gateway: GatewayProcess;
  let clock: TestClock;
  let dir: Awaited<ReturnType<typeof scratchDir>>;

  beforeAll(async () => {
    dir = await scratchDir();
    clock = await TestClock.at(dir.path, '2026-11-25T23:50:00.000Z');
    gateway = await startGateway({
      env: clock.env(),
      manifests: {
        'keys.yaml': documents(...governedKey({ name: 'payer', key, labels: { team: 'payments' } })),
        'budget.yaml': documents(
          budgetObject({ name: 'payments-daily', matchLabels: { team: 'payments' }, limit: '0.003', period: 'Daily' }),
        ),
        'route.yaml': documents(
          routeObject({
            name: 'metered',
            backends: [pricedMockBackend('mock-metered', { inputPerMillion: '10', outputPerMillion: '10' }, { response: LONG_ANSWER })],
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await dir?.remove();
  });

  it('refuses a request whose reservation alone does not fit, saying to lower max_tokens', async () => {
    // (29 prompt + 1 000 output) x $10 per million = $0.01029 > $0.003
    const error = (await openAIClient(gateway, key)
      .chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 1000 })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toContain('Budget default/payments-daily has too little left');
    expect(error.message).toContain('lower max_tokens');
  });

  it('admits while spent + reservation fits, then refuses with budget_exceeded until 00:00 UTC', async () => {
    const client = openAIClient(gateway, key);
    // Reservation (29 + 100) x $10 per million = $0.00129; real cost (2 + 100) x $10 per million = $0.00102.
    // Admitted at $0 and $0.00102 spent; at $0.00204, $0.00129 more would pass $0.003.
    for (let i = 0; i < 2; i++) {
      const { response } = await client.chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 100 }).withResponse();
      expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.00102');
    }
    const error = (await client.chat.completions
      .create({ model: 'metered', messages: HELLO, max_tokens: 100 })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.status).toBe(429);
    expect(error.code).toBe('budget_exceeded');
    expect(error.type).toBe('insufficient_quota');
    expect(error.message).toMatch(/^429 Budget default\/payments-daily has too little left this period/);
    expect(error.message).toContain('it resets at 2026-11-26T00:00:00.000Z');
    // The message names the budget, not its amounts.
    for (const amount of ['$', '0.003', '0.00204', '0.00129', '3000000']) expect(error.message).not.toContain(amount);
    expect(error.headers.get('x-should-retry')).toBe('false');
    expect(error.headers.get('retry-after')).toBe('600');
    expect(await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/payments-daily' })).toBeCloseTo(0.00204, 12);
  });

  it('is not retried by the SDK, whatever its retry setting', async () => {
    const before = (await metricValue(gateway, 'switchyard_requests_total', { key: 'default/payer', status: '429' })) ?? 0;
    const retrying = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 3 });
    await expect(retrying.chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 100 })).rejects.toMatchObject({
      status: 429,
      code: 'budget_exceeded',
    });
    expect(await metricValue(gateway, 'switchyard_requests_total', { key: 'default/payer', status: '429' })).toBe(before + 1);
    expect(
      await metricValue(gateway, 'switchyard_budget_rejections_total', { key: 'default/payer', budget: 'default/payments-daily' }),
    ).toBe(before + 1);
    // Smaller requests still fit: (29 + 1) x $10 per million = $0.0003 of reservation.
    await expect(
      openAIClient(gateway, key).chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 1 }),
    ).resolves.toBeDefined();
  });

  it('admits again from 00:00 UTC, with the new day starting from zero', async () => {
    await clock.set('2026-11-26T00:00:00.000Z');
    await expect(
      openAIClient(gateway, key).chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 100 }),
    ).resolves.toBeDefined();
    expect(await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/payments-daily' })).toBeCloseTo(0.00102, 12);
  });
});
