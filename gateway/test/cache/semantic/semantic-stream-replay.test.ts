// A semantic hit replays like an exact hit: a streaming caller gets the stored answer as a
// stream whose text, finish reason and usage equal the whole answer's, whichever way the answer
// was first produced; the Anthropic SDK's stream reads it the same way.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { collectChatStream } from '../../support/collect-chat-stream.js';
import type { GatewayProcess } from '../../support/gateway-process.js';
import { openAIClient } from '../../core/core-fixtures.js';
import { ask, askAndStore, type CountingUpstream, startSemanticGateway, testKey } from './semantic-fixtures.js';

const key = testKey('semstream');

describe('semantic cache: stream replay', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startSemanticGateway({ keyName: 'stream', key }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  async function streamed(question: string) {
    const { data, response } = await openAIClient(gateway, key)
      .chat.completions.create({
        model: 'chat',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: question }],
      })
      .withResponse();
    return {
      cache: response.headers.get('x-switchyard-cache'),
      similarity: response.headers.get('x-switchyard-cache-similarity'),
      ...(await collectChatStream(data)),
    };
  }

  it('a whole answer replayed as a stream to a paraphrase', async () => {
    const { data: whole } = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'How do I merge two dictionaries in Python?' }] })
      .withResponse();
    await askAndStore(gateway, key, 'chat', 'How do I merge two dictionaries in Python?');
    const callsBefore = upstream.calls();
    const replay = await streamed('How can I combine two Python dictionaries?');
    expect(replay.cache).toBe('semantic-hit');
    expect(Number(replay.similarity)).toBeGreaterThanOrEqual(0.9);
    expect(replay.text).toBe(whole.choices[0]?.message.content);
    expect(replay.finish).toBe(whole.choices[0]?.finish_reason);
    expect(replay.usage?.prompt_tokens).toBe(whole.usage?.prompt_tokens);
    expect(replay.usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
    expect(upstream.calls()).toBe(callsBefore);
  });

  it('a streamed answer replayed whole to a paraphrase, and as an Anthropic stream', async () => {
    const original = await streamed('How do I undo the last git commit?');
    expect(original.cache).toBe('miss');
    for (let i = 0; i < 100 && (await streamed('How do I undo the last git commit?')).cache !== 'hit'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const whole = await ask(gateway, key, 'chat', 'How can I undo my last commit in git?');
    expect(whole.cache).toBe('semantic-hit');
    expect(whole.text).toBe(original.text);

    // Anthropic carries max_tokens: its partition is the one with max_tokens, stored first.
    const anthropic = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: key, maxRetries: 0, timeout: 20_000 });
    const stored = await askAndStore(gateway, key, 'chat', 'How do I rename a git branch?', { maxTokens: 128 });
    const stream = anthropic.messages.stream({
      model: 'chat',
      max_tokens: 128,
      messages: [{ role: 'user', content: 'How can I rename a branch in git?' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe(stored.text);
    expect(final.stop_reason).toBe('end_turn');
    const { response } = await stream.withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('semantic-hit');
  });
});
