// Continuing a conversation whose earlier responses the store has evicted: the front door is
// driven as the pipeline drives it (decode, encode the answer, decode the next turn), over an
// in-memory store with small bounds.

import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { createOpenAIResponsesFrontDoor } from '../../../src/frontdoors/openai-responses/index.js';
import { InMemoryResponseStore, type InMemoryResponseStoreOptions } from '../../../src/frontdoors/openai-responses/response-store.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import { USAGE } from './responses-test-support.js';

function conversationOver(options: InMemoryResponseStoreOptions) {
  const store = new InMemoryResponseStore(options);
  const frontDoor = createOpenAIResponsesFrontDoor({ store });
  const context = () => ({ requestId: 'req', keyId: 'default/app' });
  /** One turn: the request the provider got and the id the caller got. */
  const turn = async (input: string, previous?: string): Promise<{ request: UnifiedChatRequest; id: string }> => {
    const ctx = context();
    const request = await frontDoor.decodeChatRequest(
      { model: 'm', input, ...(previous === undefined ? {} : { previous_response_id: previous }) },
      ctx,
    );
    const answer = {
      id: 'up',
      model: 'p',
      created: 1,
      content: [{ type: 'text' as const, text: `re: ${input}` }],
      finishReason: 'stop' as const,
      usage: USAGE,
    };
    const { id } = JSON.parse(frontDoor.encodeChatResponse(answer, 'm', ctx)) as { id: string };
    return { request, id };
  };
  /** The error a continuation of `previous` gets, or undefined when it would be served. */
  const refusal = async (input: string, previous: string): Promise<GatewayError | undefined> => {
    try {
      await frontDoor.decodeChatRequest({ model: 'm', input, previous_response_id: previous }, context());
      return undefined;
    } catch (error) {
      if (error instanceof GatewayError) return error;
      throw error;
    }
  };
  return { store, turn, refusal };
}

const texts = (request: UnifiedChatRequest): string[] =>
  request.messages.flatMap((message) => message.content.map((part) => (part.type === 'text' ? part.text : part.type)));

describe('responses front door: continuing after eviction', () => {
  it('the newest response carries the whole conversation after the earlier responses were evicted', async () => {
    const { store, turn, refusal } = conversationOver({ maxEntries: 2 });
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await turn(`turn ${i}`, ids.at(-1))).id);
    expect(store.size).toBe(2);
    const next = await turn('turn 6', ids.at(-1));
    expect(texts(next.request)).toEqual([
      'turn 1',
      're: turn 1',
      'turn 2',
      're: turn 2',
      'turn 3',
      're: turn 3',
      'turn 4',
      're: turn 4',
      'turn 5',
      're: turn 5',
      'turn 6',
    ]);
    // An evicted response itself cannot be continued: the caller is told which id, as OpenAI does.
    const gone = await refusal('again', ids[0] as string);
    expect(gone).toMatchObject({ status: 400, code: 'previous_response_not_found', param: 'previous_response_id' });
    expect(gone?.message).toBe(`Previous response with id '${ids[0]}' not found.`);
  });

  it('a conversation grown past the byte bound answers previous_response_not_found, and a new one starts fine', async () => {
    const { turn, refusal } = conversationOver({ maxBytes: 64 * 1024 });
    const long = 'x'.repeat(10_000);
    // Each turn adds about 20 KB (the input and its echo); the third or fourth no longer fits.
    let last = (await turn(`0 ${long}`)).id;
    let turns = 1;
    let error: GatewayError | undefined;
    while (error === undefined && turns < 10) {
      error = await refusal('probe', last);
      if (error === undefined) {
        last = (await turn(`${turns} ${long}`, last)).id;
        turns += 1;
      }
    }
    expect(turns).toBeGreaterThan(1);
    expect(turns).toBeLessThan(10);
    expect(error).toMatchObject({ status: 400, code: 'previous_response_not_found', param: 'previous_response_id' });
    const fresh = await turn('a new conversation');
    expect(texts((await turn('continued', fresh.id)).request)).toEqual(['a new conversation', 're: a new conversation', 'continued']);
  });
});
