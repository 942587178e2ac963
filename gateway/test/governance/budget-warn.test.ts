// A Warn budget never refuses: past its limit requests are flagged (response header, metric,
// one log line per period) and still charged; a key under Warn and Block budgets is refused only by Block.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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

const key = testKey('warnkey');

describe('Warn budgets', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(...governedKey({ name: 'analyst', key, labels: { team: 'research', customer: 'acme' } })),
        'budgets.yaml': documents(
          // $0.0003 of reservation per request (29 + 1 tokens at $10 per million): the first already passes $0.0001.
          budgetObject({
            name: 'research-soft',
            matchLabels: { team: 'research' },
            limit: '0.0001',
            period: 'Monthly',
            enforcement: 'Warn',
          }),
          budgetObject({ name: 'acme-hard', matchLabels: { customer: 'acme' }, limit: '1000', period: 'Monthly', enforcement: 'Block' }),
        ),
        'route.yaml': documents(
          routeObject({
            name: 'metered',
            backends: [pricedMockBackend('mock-metered', { inputPerMillion: '10', outputPerMillion: '10' })],
          }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('admits past the limit and flags each answer with the Warn budget', async () => {
    for (let i = 0; i < 3; i++) {
      const { response } = await openAIClient(gateway, key)
        .chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 1 })
        .withResponse();
      expect(response.status).toBe(200);
      expect(response.headers.get('x-switchyard-budget-warning')).toBe('default/research-soft');
    }
    expect(
      await metricValue(gateway, 'switchyard_budget_warnings_total', { key: 'default/analyst', budget: 'default/research-soft' }),
    ).toBe(3);
  });

  it('charges the Warn budget and every other budget covering the key', async () => {
    // 3 answers x (2 + 1) tokens x $10 per million = $0.00009
    expect(await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/research-soft' })).toBeCloseTo(0.00009, 12);
    expect(await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/acme-hard' })).toBeCloseTo(0.00009, 12);
  });

  it('logs the crossing once per period, not once per request', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const warnings = logRecords(gateway).filter((record) => record.msg === 'Warn budget exceeded: requests are flagged, not refused');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', budget: 'default/research-soft', key: 'default/analyst', period: 'Monthly' });
  });
});
