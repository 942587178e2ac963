// Agent-safe by construction: only the last user turn is compared by meaning, everything before
// it is an exact partition key. The same last turn after a different history, system prompt or
// sampling parameter is a miss; a paraphrase after the same history hits.
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../../support/gateway-process.js';
import { ask, askAndStore, type CountingUpstream, startSemanticGateway, testKey } from './semantic-fixtures.js';

const key = testKey('semmultiturn');

type Messages = OpenAI.Chat.Completions.ChatCompletionMessageParam[];

function conversation(database: string, lastTurn: string): Messages {
  return [
    { role: 'user', content: `Our service stores its orders in ${database}.` },
    { role: 'assistant', content: 'Understood. What would you like to do with it?' },
    { role: 'user', content: lastTurn },
  ];
}

describe('semantic cache: multi-turn safety', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startSemanticGateway({ keyName: 'multi', key }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('same history, paraphrased last turn: a hit', async () => {
    const stored = await askAndStore(gateway, key, 'chat', conversation('PostgreSQL 16', 'How do I create an index on the orders table?'));
    const paraphrase = await ask(gateway, key, 'chat', conversation('PostgreSQL 16', 'How can I build an index on the orders table?'));
    expect(paraphrase.cache).toBe('semantic-hit');
    expect(paraphrase.text).toBe(stored.text);
  });

  it('same last turn, different history: a miss', async () => {
    const stored = await askAndStore(gateway, key, 'chat', conversation('PostgreSQL 16', 'How do I add a column to the orders table?'));
    const other = await ask(gateway, key, 'chat', conversation('MongoDB 7', 'How do I add a column to the orders table?'));
    expect(other.cache).toBe('miss');
    expect(other.text).not.toBe(stored.text);
  });

  it('same last turn, different system prompt: a miss', async () => {
    const stored = await askAndStore(gateway, key, 'chat', 'How do I delete old log files?', { system: 'You administer Linux servers.' });
    const other = await ask(gateway, key, 'chat', 'How do I delete old log files?', { system: 'You administer Windows servers.' });
    expect(other.cache).toBe('miss');
    expect(other.text).not.toBe(stored.text);
  });

  it('same last turn, different sampling parameter: a miss', async () => {
    const stored = await askAndStore(gateway, key, 'chat', 'How do I rotate my API keys?', { temperature: 0.2 });
    const other = await ask(gateway, key, 'chat', 'How do I rotate my API keys?', { temperature: 0.3 });
    expect(other.cache).toBe('miss');
    expect(other.text).not.toBe(stored.text);
  });
});
