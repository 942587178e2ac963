// tokensPerMinute through the OpenAI SDK: admission needs room for the estimate (prompt bytes +
// max_tokens), settlement charges the real input + output tokens to the window.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  documents,
  governedKey,
  HELLO,
  openAIClient,
  pricedMockBackend,
  routeObject,
  scratchDir,
  TestClock,
  testKey,
} from './governance-fixtures.js';

const key = testKey('tpmkey');
// 400 characters: the mock reports 100 output tokens; "hello" is 2 input tokens.
const LONG_ANSWER = 'abcd'.repeat(100);
// Prompt estimate for HELLO: 16 per request + 8 per message + 5 bytes.
const PROMPT_ESTIMATE = 29;

describe('rate limit: tokens per minute', () => {
  let gateway: GatewayProcess;
  let clock: TestClock;
  let dir: Awaited<ReturnType<typeof scratchDir>>;

  beforeAll(async () => {
    dir = await scratchDir();
    clock = await TestClock.at(dir.path, '2026-11-25T10:00:00.500Z');
    gateway = await startGateway({
      env: clock.env(),
      manifests: {
        'keys.yaml': documents(...governedKey({ name: 'tpm', key, rateLimit: { tokensPerMinute: 250 } })),
        'route.yaml': documents(
          routeObject({
            name: 'talk',
            backends: [pricedMockBackend('mock-long', { inputPerMillion: '1', outputPerMillion: '1' }, { response: LONG_ANSWER })],
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await dir?.remove();
  });

  it('admits a request whose estimate fits and reports what the estimate leaves', async () => {
    const { data, response } = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'talk', messages: HELLO, max_tokens: 150 })
      .withResponse();
    expect(data.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 100 });
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('250');
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(250 - (PROMPT_ESTIMATE + 150)));
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('counts the real tokens once settled: 102 used, 179 more do not fit until they leave the window', async () => {
    await clock.set('2026-11-25T10:00:10.000Z');
    const error = (await openAIClient(gateway, key)
      .chat.completions.create({ model: 'talk', messages: HELLO, max_tokens: 150 })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toContain('250 tokens per minute');
    expect(error.headers.get('x-ratelimit-remaining-tokens')).toBe(String(250 - 102));
    // Settled in the second ending 10:00:01, so they leave at 10:01:01: 51 s from 10:00:10.
    expect(error.headers.get('retry-after')).toBe('51');
    expect(error.headers.get('x-ratelimit-reset-tokens')).toBe('51s');
    // A smaller max_tokens fits now.
    await expect(
      openAIClient(gateway, key).chat.completions.create({ model: 'talk', messages: HELLO, max_tokens: 100 }),
    ).resolves.toBeDefined();
  });

  it('refuses for good, without retry, a request larger than the whole limit', async () => {
    const error = (await openAIClient(gateway, key)
      .chat.completions.create({ model: 'talk', messages: HELLO, max_tokens: 300 })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe('tokens_exceed_rate_limit');
    expect(error.headers.get('x-should-retry')).toBe('false');
    expect(error.message).toMatch(/may use up to 329 tokens/);
  });

  it('has room again once the settled tokens left the window', async () => {
    await clock.set('2026-11-25T10:01:11.000Z');
    await expect(
      openAIClient(gateway, key).chat.completions.create({ model: 'talk', messages: HELLO, max_tokens: 150 }),
    ).resolves.toBeDefined();
  });
});
