// A backend with no catalog price and no `pricing` cannot be charged: keys under a Block budget
// are refused it with 403 naming the backend, before anything is sent upstream; keys without one
// are served (and their answers carry no cost).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
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

const budgeted = testKey('unpricedbudgeted');
const free = testKey('unpricedfree');

describe('PriceUnknown backends', () => {
  let gateway: GatewayProcess;
  let upstream: OpenAIMockServer;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer({ apiKey: null });
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(
          ...governedKey({ name: 'budgeted', key: budgeted, labels: { team: 'capped' } }),
          ...governedKey({ name: 'free', key: free }),
        ),
        'budget.yaml': documents(budgetObject({ name: 'capped', matchLabels: { team: 'capped' }, limit: '100' })),
        'routes.yaml': documents(
          routeObject({
            name: 'in-house',
            backends: [{ ...openAIBackend('local-llm', upstream.url, { model: 'llama-local' }), provider: 'openai-compatible' }],
          }),
          // A priced route whose fallback is unpriced: the fallback could serve, so it is refused too.
          routeObject({
            name: 'with-fallback',
            fallbackModels: ['in-house'],
            backends: [pricedMockBackend('mock-priced', { inputPerMillion: '1', outputPerMillion: '1' })],
          }),
          routeObject({ name: 'priced', backends: [pricedMockBackend('mock-priced-2', { inputPerMillion: '1', outputPerMillion: '1' })] }),
          secretObject('openai', { apiKey: 'sk-upstream-test-0123456789' }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('refuses a key under a Block budget with 403 naming the unpriced backend, without calling it', async () => {
    const error = (await openAIClient(gateway, budgeted)
      .chat.completions.create({ model: 'in-house', messages: HELLO })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.code).toBe('price_unknown');
    expect(error.message).toContain('default/capped');
    expect(error.message).toContain('"local-llm" (openai-compatible llama-local) of route default/in-house has no price');
    expect(upstream.chatRequests).toHaveLength(0);
    expect(
      await metricValue(gateway, 'switchyard_price_unknown_rejections_total', { key: 'default/budgeted', route: 'default/in-house' }),
    ).toBe(1);
  });

  it('counts unpriced fallbacks too, and serves priced routes', async () => {
    await expect(
      openAIClient(gateway, budgeted).chat.completions.create({ model: 'with-fallback', messages: HELLO }),
    ).rejects.toMatchObject({ status: 403, code: 'price_unknown' });
    await expect(openAIClient(gateway, budgeted).chat.completions.create({ model: 'priced', messages: HELLO })).resolves.toBeDefined();
  });

  it('serves a key without a Block budget, with no cost header', async () => {
    const { response } = await openAIClient(gateway, free).chat.completions.create({ model: 'in-house', messages: HELLO }).withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-cost-usd')).toBeNull();
    expect(upstream.chatRequests).toHaveLength(1);
  });
});
