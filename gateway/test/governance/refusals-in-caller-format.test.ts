// Governance refusals come back in the caller's own format: Anthropic's error envelope through the
// Anthropic SDK, Google's through the Gemini path, with the same 429, retry-after and headers.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { budgetObject, documents, governedKey, pricedMockBackend, routeObject, testKey } from './governance-fixtures.js';

const limited = testKey('formatlimited');
const broke = testKey('formatbroke');

describe('governance refusals in the caller format', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(
          ...governedKey({ name: 'limited', key: limited, rateLimit: { requestsPerMinute: 1 } }),
          ...governedKey({ name: 'broke', key: broke, labels: { team: 'broke' } }),
        ),
        'budget.yaml': documents(budgetObject({ name: 'empty', matchLabels: { team: 'broke' }, limit: '0', period: 'Weekly' })),
        'route.yaml': documents(
          routeObject({
            name: 'claude-sonnet-4-5',
            backends: [pricedMockBackend('mock-claude', { inputPerMillion: '3', outputPerMillion: '15' })],
          }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('rate limits an Anthropic SDK caller with an Anthropic rate_limit_error', async () => {
    const client = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: limited, maxRetries: 0 });
    const { response } = await client.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const error = (await client.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.RateLimitError>;
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.stringContaining('default/limited') },
    });
    expect(Number(error.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses an exhausted budget to a Gemini caller with RESOURCE_EXHAUSTED and no retry', async () => {
    const response = await fetch(`${gateway.url}/genai/v1beta/models/claude-sonnet-4-5:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': broke },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('x-should-retry')).toBe('false');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(7 * 86_400);
    const body = (await response.json()) as { error: { status: string; message: string; details: Array<Record<string, unknown>> } };
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(body.error.message).toContain('Budget default/empty');
    expect(body.error.details).toContainEqual({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'BUDGET_EXCEEDED',
      domain: 'switchyard.dev',
    });
  });
});
