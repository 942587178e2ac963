// A key's tokensPerMinute limit takes the same prompt estimate as its budgets: with every budget
// covering the key Tokenized, a ~40 000-character English prompt needs room for gpt-4o's real
// token count (~9 000) and fits a 20 000 tokens-per-minute limit; the same key under a Strict
// budget, or with no budget at all, is estimated by bytes (~40 000) and refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  budgetObject,
  documents,
  ENGLISH_PROMPT,
  governedKey,
  openAIBackend,
  openAIClient,
  routeObject,
  secretObject,
  testKey,
} from './governance-fixtures.js';

const PROMPT = ENGLISH_PROMPT;
const TPM = { tokensPerMinute: 20_000 };
const keys = { tokenized: testKey('tpmtok'), strict: testKey('tpmstrict'), unbudgeted: testKey('tpmnone') };

function budget(name: string, team: string, reservation: 'Strict' | 'Tokenized'): unknown {
  return budgetObject({ name, matchLabels: { team }, limit: '100', reservation });
}

describe('tokensPerMinute with the Tokenized counter', () => {
  let gateway: GatewayProcess;
  let openai: OpenAIMockServer;

  beforeAll(async () => {
    openai = await startOpenAIMockServer({
      apiKey: null,
      defaultReply: { content: 'ok', usage: { prompt_tokens: 9000, completion_tokens: 1 } },
    });
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(
          ...governedKey({ name: 'tok', key: keys.tokenized, labels: { team: 'tok' }, rateLimit: TPM }),
          ...governedKey({ name: 'strict', key: keys.strict, labels: { team: 'strict' }, rateLimit: TPM }),
          ...governedKey({ name: 'none', key: keys.unbudgeted, labels: { team: 'none' }, rateLimit: TPM }),
        ),
        'budgets.yaml': documents(budget('tok', 'tok', 'Tokenized'), budget('strict', 'strict', 'Strict')),
        'secrets.yaml': documents(secretObject('openai', { apiKey: 'sk-upstream-test-0123456789' })),
        'route.yaml': documents(
          routeObject({
            name: 'gpt-4o',
            backends: [
              { ...openAIBackend('gpt4o', openai.url, { model: 'gpt-4o' }), pricing: { inputPerMillion: '1', outputPerMillion: '1' } },
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

  it('admits the prompt for a key whose budgets are all Tokenized', async () => {
    await expect(ask(keys.tokenized)).resolves.toBeDefined();
  });

  it.each([
    ['a Strict budget', 'strict'],
    ['no budget', 'unbudgeted'],
  ] as const)('refuses it for a key with %s: the byte estimate exceeds the limit', async (_name, which) => {
    const error = (await ask(keys[which]).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).not.toBe('budget_exceeded');
    expect(error.message).toContain('more than its limit of 20000 tokens per minute');
  });
});
