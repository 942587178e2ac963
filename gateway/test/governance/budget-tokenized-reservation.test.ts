// Budget `reservation: Tokenized` through the gateway with the official OpenAI SDK: the same
// fresh $0.20 budget, the same ~40 000-character English prompt to gpt-4o at $10 per million
// tokens. Strict reserves the prompt's bytes (about $0.40) and refuses; Tokenized reserves
// gpt-4o's real token count (about $0.09) and admits, and the budget is then charged the cost of
// the usage the upstream reported, not the reservation.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  budgetObject,
  documents,
  ENGLISH_PROMPT,
  governedKey,
  metricValue,
  openAIBackend,
  openAIClient,
  routeObject,
  secretObject,
  testKey,
} from './governance-fixtures.js';

type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');
const o200k = createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as Encoding;

const strictKey = testKey('strictres');
const tokenizedKey = testKey('tokenizedres');
const PROMPT = ENGLISH_PROMPT;
const COMPLETION_TOKENS = 5;
const NANOS_PER_TOKEN = 10_000n; // $10 per million tokens

/** What OpenAI reports as prompt_tokens for plain string messages: the text, 3 per message, 3 to prime the answer. */
function openAIPromptTokens(messages: Array<{ content: string }>): number {
  let total = 3;
  for (const message of messages) total += 3 + o200k.countTokens(message.content, { disallowedSpecial: new Set() });
  return total;
}

function budget(name: string, team: string, reservation?: 'Strict' | 'Tokenized'): unknown {
  return budgetObject({
    name,
    matchLabels: { team },
    limit: '0.20',
    period: 'Monthly',
    ...(reservation === undefined ? {} : { reservation }),
  });
}

describe('Budget reservation: Strict and Tokenized', () => {
  let gateway: GatewayProcess;
  let openai: OpenAIMockServer;

  beforeAll(async () => {
    openai = await startOpenAIMockServer({
      apiKey: null,
      defaultReply: (request) => {
        const body = request.json as { messages: Array<{ content: string }> };
        return { content: 'noted', usage: { prompt_tokens: openAIPromptTokens(body.messages), completion_tokens: COMPLETION_TOKENS } };
      },
    });
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(
          ...governedKey({ name: 'strict-caller', key: strictKey, labels: { team: 'strict' } }),
          ...governedKey({ name: 'tokenized-caller', key: tokenizedKey, labels: { team: 'tokenized' } }),
        ),
        'budgets.yaml': documents(budget('strict-budget', 'strict'), budget('tokenized-budget', 'tokenized', 'Tokenized')),
        'secrets.yaml': documents(secretObject('openai', { apiKey: 'sk-upstream-test-0123456789' })),
        'route.yaml': documents(
          routeObject({
            name: 'gpt-4o',
            backends: [
              { ...openAIBackend('gpt4o', openai.url, { model: 'gpt-4o' }), pricing: { inputPerMillion: '10', outputPerMillion: '10' } },
            ],
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await openai?.close();
  });

  const ask = (key: string) =>
    openAIClient(gateway, key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }], max_tokens: 10 });

  it('the numbers: the byte bound is over the limit, the real count well under it', () => {
    expect(Buffer.byteLength(PROMPT) * Number(NANOS_PER_TOKEN)).toBeGreaterThan(200_000_000); // > $0.20
    expect((openAIPromptTokens([{ content: PROMPT }]) + 10) * Number(NANOS_PER_TOKEN)).toBeLessThan(100_000_000); // < $0.10
  });

  it('Strict (the default) refuses the prompt on a fresh budget', async () => {
    const error = (await ask(strictKey).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toContain('Budget default/strict-budget has too little left');
    expect(openai.chatRequests).toHaveLength(0);
  });

  it('Tokenized admits it, and the budget is charged the reported usage', async () => {
    const answer = await ask(tokenizedKey);
    expect(answer.choices[0].message.content).toBe('noted');
    const real = openAIPromptTokens([{ content: PROMPT }]);
    expect(answer.usage?.prompt_tokens).toBe(real);
    const costUsd = Number(BigInt(real + COMPLETION_TOKENS) * NANOS_PER_TOKEN) / 1e9;
    expect(await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/tokenized-budget' })).toBeCloseTo(costUsd, 12);
    expect(await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/strict-budget' })).toBe(0);
  });

  it('leaves room by what was charged, not what was reserved: one more fits, then the budget refuses', async () => {
    // Each request costs about $0.09 and reserves a few tokens more; $0.20 holds two, never three.
    await expect(ask(tokenizedKey)).resolves.toBeDefined();
    const error = (await ask(tokenizedKey).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.message).toContain('Budget default/tokenized-budget has too little left');
    const real = openAIPromptTokens([{ content: PROMPT }]);
    const twoCostsUsd = Number(2n * BigInt(real + COMPLETION_TOKENS) * NANOS_PER_TOKEN) / 1e9;
    expect(await metricValue(gateway, 'switchyard_budget_spent_usd', { budget: 'default/tokenized-budget' })).toBeCloseTo(twoCostsUsd, 12);
  });
});
