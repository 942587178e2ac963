// A last turn that carries tool results is never looked up or stored semantically: a tool result
// is data the model must read exactly, and a near match of the words around it is no evidence
// the answer fits. Even the same tool result followed by a paraphrased question is a miss, the
// embedding route is not called, and the log line says why. Without tool results the same
// paraphrase hits.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../../support/gateway-process.js';
import {
  type Answer,
  answerOf,
  ask,
  askAndStore,
  type CountingUpstream,
  embeddingCalls,
  startSemanticGateway,
  testKey,
} from './semantic-fixtures.js';

const key = testKey('semtoolresult');

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('semantic cache: tool results bypass', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;
  let anthropic: Anthropic;

  beforeAll(async () => {
    ({ upstream, gateway } = await startSemanticGateway({ keyName: 'tools', key }));
    anthropic = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: key, maxRetries: 0, timeout: 20_000 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  /** An agent's next step: the tool's result for the weather call, and a follow-up question in the same user turn. */
  async function followUp(question: string): Promise<Answer> {
    const { data, response } = await anthropic.messages
      .create({
        model: 'chat',
        max_tokens: 64,
        tools: [WEATHER_TOOL],
        messages: [
          { role: 'user', content: 'What is the weather in Paris?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '18 degrees, light rain' },
              { type: 'text', text: question },
            ],
          },
        ],
      })
      .withResponse();
    return answerOf(response.headers, data.content[0]?.type === 'text' ? data.content[0].text : undefined);
  }

  it('the same tool result with a paraphrased question: a miss, no embedding call, logged as tool_results', async () => {
    const first = await followUp('Should I take an umbrella today?');
    expect(first.cache).toBe('miss');
    // Stored exactly: the same request again is an exact hit.
    let again: Answer | undefined;
    for (let i = 0; i < 100 && (again = await followUp('Should I take an umbrella today?')).cache !== 'hit'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(again?.cache).toBe('hit');
    const embeddingsBefore = await embeddingCalls(gateway);
    const paraphrase = await followUp('Should I bring an umbrella today?');
    expect(paraphrase.cache).toBe('miss');
    expect(paraphrase.text).not.toBe(first.text);
    expect(await embeddingCalls(gateway)).toBe(embeddingsBefore);
    expect(gateway.logs()).toContain('"cacheSemantic":"tool_results"');
  });

  it('without tool results the same paraphrase hits', async () => {
    const stored = await askAndStore(gateway, key, 'chat', 'Should I take an umbrella today?');
    const paraphrase = await ask(gateway, key, 'chat', 'Should I bring an umbrella today?');
    expect(paraphrase.cache).toBe('semantic-hit');
    expect(paraphrase.text).toBe(stored.text);
  });
});
