// A paraphrase of a stored question is answered from the cache: `x-switchyard-cache:
// semantic-hit`, the similarity in `x-switchyard-cache-similarity`, the stored answer, no upstream
// call; through the OpenAI SDK and the Anthropic SDK alike (the entry is the unified answer).
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../../support/gateway-process.js';
import {
  answerOf,
  ask,
  askAndStore,
  type CountingUpstream,
  embeddingCalls,
  metricSum,
  startSemanticGateway,
  testKey,
} from './semantic-fixtures.js';

const key = testKey('semparaphrase');

describe('semantic cache: paraphrase hit', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startSemanticGateway({ keyName: 'para', key }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('answers a paraphrase with the stored answer and its similarity, without an upstream call', async () => {
    const stored = await askAndStore(gateway, key, 'chat', 'How do I remove duplicate entries from an array in JavaScript?');
    expect(stored.cache).toBe('miss');
    const callsBefore = upstream.calls();
    const embeddingsBefore = await embeddingCalls(gateway);
    const paraphrase = await ask(gateway, key, 'chat', 'In JavaScript, how do I remove duplicate entries from an array quickly?');
    expect(paraphrase.cache).toBe('semantic-hit');
    expect(paraphrase.text).toBe(stored.text);
    expect(paraphrase.similarity).toBeGreaterThanOrEqual(0.9);
    expect(paraphrase.similarity).toBeLessThan(1);
    expect(upstream.calls()).toBe(callsBefore);
    // The paraphrase's turn was embedded through the embedding route: one call.
    expect((await embeddingCalls(gateway)) - embeddingsBefore).toBe(1);
    expect(await metricSum(gateway, 'switchyard_cache_requests_total', { route: 'default/chat', result: 'semantic-hit' })).toBe(1);
    const line = gateway
      .logs()
      .split('\n')
      .filter((l) => l.includes('"msg":"request"') && l.includes('"cache":"semantic-hit"'));
    expect(line.length).toBe(1);
    expect(line[0]).toContain('"cacheSemantic":"hit"');
  });

  it('does not answer a different question', async () => {
    await askAndStore(gateway, key, 'chat', 'How do I bake sourdough bread?');
    const other = await ask(gateway, key, 'chat', 'How do I change a car tire?');
    expect(other.cache).toBe('miss');
    expect(other.similarity).toBeUndefined();
    expect(other.text).toContain('change a car tire');
  });

  it('serves the same entry through the Anthropic Messages front door', async () => {
    // Anthropic requests always carry max_tokens, a sampling parameter of the partition: the stored question does too.
    const stored = await askAndStore(gateway, key, 'chat', 'What is the capital of France?', { maxTokens: 64 });
    const callsBefore = upstream.calls();
    const anthropic = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: key, maxRetries: 0, timeout: 20_000 });
    const { data, response } = await anthropic.messages
      .create({ model: 'chat', max_tokens: 64, messages: [{ role: 'user', content: 'Tell me the capital city of France.' }] })
      .withResponse();
    const answer = answerOf(response.headers, data.content[0]?.type === 'text' ? data.content[0].text : undefined);
    expect(answer.cache).toBe('semantic-hit');
    expect(answer.text).toBe(stored.text);
    expect(upstream.calls()).toBe(callsBefore);
  });
});
