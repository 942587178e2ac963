// Cost from real usage, checked against hand-computed values: catalog prices, a per-backend
// `pricing` override, cached input and cache writes; x-switchyard-cost-usd on complete answers,
// absent on streams (their cost is on the log line and in the metric), absent without a price.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAnthropicMockServer, ANTHROPIC_MOCK_API_KEY, type AnthropicMockServer } from '../mocks/anthropic-mock-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  documents,
  governedKey,
  HELLO,
  logRecords,
  metricValue,
  openAIBackend,
  openAIClient,
  routeObject,
  secretObject,
  testKey,
} from './governance-fixtures.js';

const key = testKey('costkey');
const USAGE = { prompt_tokens: 1200, completion_tokens: 300, cached_tokens: 200, reasoning_tokens: 100 };

describe('cost headers', () => {
  let gateway: GatewayProcess;
  let openai: OpenAIMockServer;
  let anthropic: AnthropicMockServer;

  beforeAll(async () => {
    openai = await startOpenAIMockServer({ apiKey: null, defaultReply: { content: 'priced answer', usage: USAGE } });
    anthropic = await startAnthropicMockServer();
    anthropic.setDefaultReply({
      content: [{ type: 'text', text: 'cached answer' }],
      usage: { input_tokens: 100, cache_read_input_tokens: 1000, cache_creation_input_tokens: 2000, output_tokens: 50 },
    });
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(...governedKey({ name: 'costs', key })),
        'secrets.yaml': documents(
          secretObject('openai', { apiKey: 'sk-upstream-test-0123456789' }),
          secretObject('anthropic', { apiKey: ANTHROPIC_MOCK_API_KEY }),
        ),
        'routes.yaml': documents(
          routeObject({ name: 'catalog-gpt', backends: [openAIBackend('gpt-mini', openai.url, { model: 'gpt-4o-mini-2024-07-18' })] }),
          routeObject({
            name: 'override',
            backends: [
              {
                ...openAIBackend('negotiated', openai.url),
                pricing: { inputPerMillion: '2.50', cachedInputPerMillion: '1.25', outputPerMillion: '10' },
              },
            ],
          }),
          routeObject({
            name: 'claude',
            backends: [
              {
                name: 'sonnet',
                provider: 'anthropic',
                model: 'claude-sonnet-4-5-20250929',
                baseURL: anthropic.url,
                credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
              },
            ],
          }),
          routeObject({
            name: 'unpriced',
            backends: [{ ...openAIBackend('mystery', openai.url, { model: 'in-house-model' }), provider: 'openai-compatible' }],
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await openai?.close();
    await anthropic?.close();
  });

  it('prices catalog models: gpt-4o-mini, 1 000 uncached x $0.15 + 200 cached x $0.075 + 300 output x $0.60 per million', async () => {
    const { response } = await openAIClient(gateway, key).chat.completions.create({ model: 'catalog-gpt', messages: HELLO }).withResponse();
    // 150 + 15 + 180 = 345 micro-dollars
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.000345');
  });

  it('prices a backend by its pricing override: 1 000 x $2.50 + 200 x $1.25 + 300 x $10 per million', async () => {
    const { response } = await openAIClient(gateway, key).chat.completions.create({ model: 'override', messages: HELLO }).withResponse();
    // 2 500 + 250 + 3 000 = 5 750 micro-dollars
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.00575');
  });

  it('prices Anthropic cache reads and writes: 100 x $3 + 1 000 x $0.30 + 2 000 x $3.75 + 50 x $15 per million', async () => {
    const { data, response } = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'claude', messages: HELLO })
      .withResponse();
    expect(data.usage?.prompt_tokens).toBe(3100);
    // 300 + 300 + 7 500 + 750 = 8 850 micro-dollars
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.00885');
  });

  it('sends no cost header on a stream, but logs and meters its cost', async () => {
    const stream = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'override', messages: HELLO, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    expect(stream.response.headers.get('x-switchyard-cost-usd')).toBeNull();
    for await (const chunk of stream.data) void chunk;
    await new Promise((r) => setTimeout(r, 100));
    const line = logRecords(gateway).find(
      (record) => record.msg === 'request' && record.stream === true && record.route === 'default/override',
    );
    expect(line).toMatchObject({ costUsd: '0.00575', key: 'default/costs', backend: 'negotiated' });
  });

  it('sends no cost when the backend has no price', async () => {
    const { response } = await openAIClient(gateway, key).chat.completions.create({ model: 'unpriced', messages: HELLO }).withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-cost-usd')).toBeNull();
  });

  it('exports the cost per key, route and backend', async () => {
    // One complete answer and one stream on the override route: 2 x $0.00575.
    expect(
      await metricValue(gateway, 'switchyard_cost_usd_total', { route: 'default/override', backend: 'negotiated', key: 'default/costs' }),
    ).toBeCloseTo(0.0115, 10);
    expect(
      await metricValue(gateway, 'switchyard_cost_usd_total', { route: 'default/claude', backend: 'sonnet', key: 'default/costs' }),
    ).toBeCloseTo(0.00885, 10);
    expect(await metricValue(gateway, 'switchyard_cost_usd_total', { route: 'default/unpriced' })).toBeUndefined();
  });
});
