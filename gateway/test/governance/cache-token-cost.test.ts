// Cost with prompt-cache tokens, through the gateway process with each front door's official SDK
// (openai for Chat Completions and Responses, @anthropic-ai/sdk, @google/genai): for a cache hit
// and a cache write on each provider, the x-switchyard-cost-usd header, the budget's spend, the
// cost metric and the usage object in the front door's own shape. Upstream answers carry the
// usage fields the providers' APIs report (Anthropic `cache_creation` by TTL, Bedrock
// `cacheDetails`, OpenAI `prompt_tokens_details`, Gemini `cachedContentTokenCount`).
// Expected costs are hand-computed from the catalog's list prices, quoted per row.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from '../mocks/anthropic-mock-server.js';
import { startBedrockMockServer, type BedrockMockServer } from '../mocks/bedrock-mock-server.js';
import { startGeminiMockServer, type GeminiMockServer } from '../mocks/gemini-mock-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  budgetObject,
  documents,
  governedKey,
  metricValue,
  openAIClient,
  routeObject,
  secretObject,
  testKey,
} from './governance-fixtures.js';

const key = testKey('cachecost');
const GEMINI_KEY = 'cache-cost-gemini-upstream';
const BEDROCK_IDENTITY = { accessKeyId: 'AKIDCACHECOSTTEST001', secretAccessKey: 'bedrock-secret-for-the-cache-cost-test' };
const realmFetch: typeof fetch = (input, init) => fetch(input, init);

type Provider = 'openai' | 'anthropic' | 'bedrock' | 'gemini';
type FrontDoor = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** Prompt tokens in all (P), of them read from cache (R), written (W), written for an hour (H); output (O). */
interface CacheUsage {
  P: number;
  R: number;
  W: number;
  H: number;
  O: number;
}

const SCENARIOS: Array<{ name: string; provider: Provider; route: string; usage: CacheUsage; costUsd: string }> = [
  // gpt-4.1: $2 input, $0.50 cached input, $8 output; no write price, so writes cost the input price.
  { name: 'OpenAI cache hit', provider: 'openai', route: 'gpt', usage: { P: 1200, R: 1000, W: 0, H: 0, O: 100 }, costUsd: '0.0017' }, // 400 + 500 + 800
  { name: 'OpenAI cache write', provider: 'openai', route: 'gpt', usage: { P: 1200, R: 0, W: 1000, H: 0, O: 100 }, costUsd: '0.0032' }, // 400 + 2000 + 800
  // claude-sonnet-4-5: $3 input, $0.30 read, $3.75 5-minute write, $6 (2x input) 1-hour write, $15 output.
  {
    name: 'Anthropic cache hit',
    provider: 'anthropic',
    route: 'claude',
    usage: { P: 1200, R: 1000, W: 0, H: 0, O: 100 },
    costUsd: '0.0024',
  }, // 600 + 300 + 1500
  {
    name: 'Anthropic 5-minute cache write',
    provider: 'anthropic',
    route: 'claude',
    usage: { P: 1200, R: 0, W: 1000, H: 0, O: 100 },
    costUsd: '0.00585',
  }, // 600 + 3750 + 1500
  {
    name: 'Anthropic 1-hour cache write',
    provider: 'anthropic',
    route: 'claude',
    usage: { P: 1200, R: 0, W: 1000, H: 1000, O: 100 },
    costUsd: '0.0081',
  }, // 600 + 6000 + 1500
  // Claude on Bedrock lists Anthropic's prices.
  {
    name: 'Bedrock cache hit',
    provider: 'bedrock',
    route: 'claude-bedrock',
    usage: { P: 1200, R: 1000, W: 0, H: 0, O: 100 },
    costUsd: '0.0024',
  },
  {
    name: 'Bedrock mixed-TTL cache write',
    provider: 'bedrock',
    route: 'claude-bedrock',
    usage: { P: 1200, R: 0, W: 1000, H: 400, O: 100 },
    costUsd: '0.00675',
  }, // 600 + 600*3.75 + 400*6 + 1500
  // gemini-2.5-flash: $0.30 input, $0.03 cached, $2.50 output. Gemini reports no writes (a cache is created apart).
  { name: 'Gemini cache hit', provider: 'gemini', route: 'flash', usage: { P: 1200, R: 1000, W: 0, H: 0, O: 100 }, costUsd: '0.00034' }, // 60 + 30 + 250
];

const FRONT_DOORS: FrontDoor[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

let gateway: GatewayProcess;
let openai: OpenAIMockServer;
let anthropic: AnthropicMockServer;
let bedrock: BedrockMockServer;
let gemini: GeminiMockServer;

function script(provider: Provider, u: CacheUsage): void {
  const uncached = u.P - u.R - u.W;
  switch (provider) {
    case 'openai':
      openai.script({
        completion: {
          id: 'chatcmpl-cache',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-4.1-2025-04-14',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: {
            prompt_tokens: u.P,
            completion_tokens: u.O,
            total_tokens: u.P + u.O,
            prompt_tokens_details: { cached_tokens: u.R, ...(u.W > 0 ? { cache_write_tokens: u.W } : {}) },
            completion_tokens_details: { reasoning_tokens: 0 },
          },
        },
      });
      return;
    case 'anthropic':
      anthropic.enqueue({
        message: {
          id: 'msg_cache',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          content: [{ type: 'text', text: 'ok' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: {
            input_tokens: uncached,
            cache_creation_input_tokens: u.W,
            cache_read_input_tokens: u.R,
            cache_creation: { ephemeral_5m_input_tokens: u.W - u.H, ephemeral_1h_input_tokens: u.H },
            output_tokens: u.O,
          },
        },
      });
      return;
    case 'bedrock': {
      const cacheDetails = [
        ...(u.H > 0 ? [{ ttl: '1h', inputTokens: u.H }] : []),
        ...(u.W - u.H > 0 ? [{ ttl: '5m', inputTokens: u.W - u.H }] : []),
      ];
      bedrock.enqueue({
        converse: {
          output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
          stopReason: 'end_turn',
          usage: {
            inputTokens: uncached,
            outputTokens: u.O,
            totalTokens: u.P + u.O,
            cacheReadInputTokens: u.R,
            cacheWriteInputTokens: u.W,
            ...(cacheDetails.length > 0 ? { cacheDetails } : {}),
          },
          metrics: { latencyMs: 5 },
        },
      });
      return;
    }
    case 'gemini':
      gemini.enqueue({
        response: {
          candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: u.P, cachedContentTokenCount: u.R, candidatesTokenCount: u.O, totalTokenCount: u.P + u.O },
          modelVersion: 'gemini-2.5-flash',
          responseId: 'cache-hit',
        },
      });
  }
}

/** One non-streamed request through a front door: its cost header and its usage object as the SDK returns it. */
async function call(frontDoor: FrontDoor, route: string): Promise<{ cost: string | null; usage: Record<string, any> }> {
  switch (frontDoor) {
    case 'openai-chat': {
      const { data, response } = await openAIClient(gateway, key)
        .chat.completions.create({ model: route, messages: [{ role: 'user', content: 'hello' }] })
        .withResponse();
      return { cost: response.headers.get('x-switchyard-cost-usd'), usage: data.usage as Record<string, any> };
    }
    case 'openai-responses': {
      const { data, response } = await openAIClient(gateway, key).responses.create({ model: route, input: 'hello' }).withResponse();
      return { cost: response.headers.get('x-switchyard-cost-usd'), usage: data.usage as Record<string, any> };
    }
    case 'anthropic': {
      const client = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: key, maxRetries: 0, timeout: 20_000 });
      const { data, response } = await client.messages
        .create({ model: route, max_tokens: 200, messages: [{ role: 'user', content: 'hello' }] })
        .withResponse();
      return { cost: response.headers.get('x-switchyard-cost-usd'), usage: data.usage as unknown as Record<string, any> };
    }
    case 'gemini': {
      const client = new GoogleGenAI({
        apiKey: key,
        httpOptions: { baseUrl: `${gateway.url}/genai`, retryOptions: { attempts: 1 }, timeout: 20_000, fetch: realmFetch },
      });
      const response = await client.models.generateContent({ model: route, contents: 'hello' });
      return {
        cost: response.sdkHttpResponse?.headers?.['x-switchyard-cost-usd'] ?? null,
        usage: response.usageMetadata as Record<string, any>,
      };
    }
  }
}

/** The usage object each front door must report for these counts. */
function expectedUsage(frontDoor: FrontDoor, u: CacheUsage): Record<string, unknown> {
  switch (frontDoor) {
    case 'openai-chat':
      return {
        prompt_tokens: u.P,
        completion_tokens: u.O,
        prompt_tokens_details: { cached_tokens: u.R, ...(u.W > 0 ? { cache_write_tokens: u.W } : {}) },
      };
    case 'openai-responses':
      return { input_tokens: u.P, output_tokens: u.O, input_tokens_details: { cached_tokens: u.R } };
    case 'anthropic':
      return {
        input_tokens: u.P - u.R - u.W,
        cache_read_input_tokens: u.R,
        cache_creation_input_tokens: u.W,
        output_tokens: u.O,
        ...(u.H > 0 ? { cache_creation: { ephemeral_5m_input_tokens: u.W - u.H, ephemeral_1h_input_tokens: u.H } } : {}),
      };
    case 'gemini':
      return { promptTokenCount: u.P, candidatesTokenCount: u.O, ...(u.R > 0 ? { cachedContentTokenCount: u.R } : {}) };
  }
}

async function budgetSpent(): Promise<number> {
  return (await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/cache-costs' })) ?? 0;
}

/** Spend settles after the answer is written: wait (generously) for the gauge to move. */
async function spentAfter(before: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const now = await budgetSpent();
    if (now !== before || Date.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  openai = await startOpenAIMockServer({ apiKey: null });
  anthropic = await startAnthropicMockServer();
  bedrock = await startBedrockMockServer({ identities: [BEDROCK_IDENTITY] });
  gemini = await startGeminiMockServer({ apiKey: GEMINI_KEY });
  gateway = await startGateway({
    manifests: {
      'keys.yaml': documents(
        ...governedKey({ name: 'cache-costs', key, labels: { team: 'caching' } }),
        budgetObject({ name: 'cache-costs', matchLabels: { team: 'caching' }, limit: '100' }),
      ),
      'secrets.yaml': documents(
        secretObject('openai', { apiKey: 'sk-upstream-test-0123456789' }),
        secretObject('anthropic', { apiKey: ANTHROPIC_MOCK_API_KEY }),
        secretObject('gemini', { apiKey: GEMINI_KEY }),
        secretObject('bedrock', BEDROCK_IDENTITY),
      ),
      'routes.yaml': documents(
        routeObject({
          name: 'gpt',
          backends: [
            {
              name: 'gpt',
              provider: 'openai',
              model: 'gpt-4.1',
              baseURL: `${openai.url}/v1`,
              credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
            },
          ],
        }),
        routeObject({
          name: 'claude',
          backends: [
            {
              name: 'claude',
              provider: 'anthropic',
              model: 'claude-sonnet-4-5-20250929',
              baseURL: anthropic.url,
              credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
            },
          ],
        }),
        routeObject({
          name: 'claude-bedrock',
          backends: [
            {
              name: 'claude-bedrock',
              provider: 'bedrock',
              model: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
              baseURL: bedrock.url,
              bedrock: { region: 'us-east-1' },
              credentials: [{ secretRef: { name: 'bedrock' } }],
            },
          ],
        }),
        routeObject({
          name: 'flash',
          backends: [
            {
              name: 'flash',
              provider: 'gemini',
              model: 'gemini-2.5-flash',
              baseURL: gemini.url,
              credentials: [{ secretRef: { name: 'gemini', key: 'apiKey' } }],
            },
          ],
        }),
      ),
    },
  });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([openai?.close(), anthropic?.close(), bedrock?.close(), gemini?.close()]);
});

describe.each(SCENARIOS)('$name ($route)', ({ provider, route, usage, costUsd }) => {
  it.each(FRONT_DOORS)('through the %s front door: cost header, budget spend, cost metric and usage', async (frontDoor) => {
    const spentBefore = await budgetSpent();
    const meteredBefore = (await metricValue(gateway, 'switchyard_cost_usd_total', { route: `default/${route}` })) ?? 0;
    script(provider, usage);
    const { cost, usage: reported } = await call(frontDoor, route);
    expect(cost).toBe(costUsd);
    expect(reported).toMatchObject(expectedUsage(frontDoor, usage));
    expect((await spentAfter(spentBefore)) - spentBefore).toBeCloseTo(Number(costUsd), 12);
    const metered = (await metricValue(gateway, 'switchyard_cost_usd_total', { route: `default/${route}` })) ?? 0;
    expect(metered - meteredBefore).toBeCloseTo(Number(costUsd), 12);
  });
});
