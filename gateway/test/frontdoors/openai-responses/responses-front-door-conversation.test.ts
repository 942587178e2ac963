// The front door's conversation state, driven the way the pipeline drives it: decode, then
// encode (or stream) the answer for the same context, then decode the next turn.

import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import type { FrontDoorContext } from '../../../src/unified/front-door-codec.js';
import { createOpenAIResponsesFrontDoor } from '../../../src/frontdoors/openai-responses/index.js';
import { InMemoryResponseStore } from '../../../src/frontdoors/openai-responses/response-store.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import type { OutputPart, UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { USAGE } from './responses-test-support.js';

/** A context as the pipeline builds it once the caller's virtual key is known. */
function keyContext(keyId: string | undefined, requestId = 'req-1'): FrontDoorContext {
  const context = { requestId, keyId };
  return context;
}

function answer(content: OutputPart[], finishReason: UnifiedChatResponse['finishReason'] = 'stop'): UnifiedChatResponse {
  return { id: 'up', model: 'provider-model', created: 1, content, finishReason, usage: USAGE };
}

function setup() {
  const store = new InMemoryResponseStore();
  const frontDoor = createOpenAIResponsesFrontDoor({ store, now: () => 1_700_000_000_000 });
  /** One non-streamed turn; returns the request the provider got and the response the caller got. */
  const turn = async (
    keyId: string | undefined,
    body: Record<string, unknown>,
    reply: OutputPart[],
    finishReason: UnifiedChatResponse['finishReason'] = 'stop',
  ) => {
    const context = keyContext(keyId);
    const request = await frontDoor.decodeChatRequest({ model: 'm', ...body }, context);
    const response = JSON.parse(frontDoor.encodeChatResponse(answer(reply, finishReason), 'm', context)) as {
      id: string;
      previous_response_id: string | null;
      model: string;
      created_at: number;
    };
    return { request, response };
  };
  const refusal = async (keyId: string | undefined, body: Record<string, unknown>): Promise<GatewayError> => {
    try {
      await frontDoor.decodeChatRequest({ model: 'm', ...body }, keyContext(keyId));
    } catch (error) {
      if (error instanceof GatewayError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  };
  return { store, frontDoor, turn, refusal };
}

const user = (text: string) => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string) => ({ role: 'assistant', content: [{ type: 'text', text }] });
const system = (text: string) => ({ role: 'system', content: [{ type: 'text', text }] });

describe('responses front door: previous_response_id', () => {
  it("a second turn sends the first turn's input and output upstream, with only its own instructions", async () => {
    const { turn } = setup();
    const first = await turn('default/app', { instructions: 'Be brief.', input: 'Hi, I am Ada.' }, [{ type: 'text', text: 'Hello Ada.' }]);
    expect(first.response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    const second = await turn(
      'default/app',
      { instructions: 'Be formal.', input: 'What is my name?', previous_response_id: first.response.id },
      [{ type: 'text', text: 'Ada.' }],
    );
    expect(second.request.messages).toEqual([
      system('Be formal.'),
      user('Hi, I am Ada.'),
      assistant('Hello Ada.'),
      user('What is my name?'),
    ]);
    expect(second.response.previous_response_id).toBe(first.response.id);

    const third = await turn('default/app', { input: 'Thanks.', previous_response_id: second.response.id }, [
      { type: 'text', text: 'Welcome.' },
    ]);
    expect(third.request.messages).toEqual([
      user('Hi, I am Ada.'),
      assistant('Hello Ada.'),
      user('What is my name?'),
      assistant('Ada.'),
      user('Thanks.'),
    ]);
  });

  it('a tool answer continues a stored tool call, named from the stored turn', async () => {
    const { turn } = setup();
    const first = await turn(
      'default/app',
      { input: 'Weather in Oslo?', tools: [{ type: 'function', name: 'get_weather' }] },
      [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
      'tool_calls',
    );
    const second = await turn(
      'default/app',
      { previous_response_id: first.response.id, input: [{ type: 'function_call_output', call_id: 'call_1', output: '-3C' }] },
      [{ type: 'text', text: 'Cold.' }],
    );
    expect(second.request.messages).toEqual([
      user('Weather in Oslo?'),
      { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
      {
        role: 'tool',
        content: [{ type: 'tool_result', toolCallId: 'call_1', toolName: 'get_weather', content: [{ type: 'text', text: '-3C' }] }],
      },
    ]);
  });

  it('a streamed turn is stored when its stream ends', async () => {
    const { frontDoor, turn } = setup();
    const context = keyContext('default/app');
    await frontDoor.decodeChatRequest({ model: 'm', input: 'stream it', stream: true }, context);
    const encoder = frontDoor.createStreamEncoder('m', context);
    const sse = [
      encoder.encode({ type: 'text_delta', text: 'streamed answer' }),
      encoder.encode({ type: 'finish', finishReason: 'stop' }),
      encoder.end(),
    ].join('');
    const id = /"id":"(resp_[0-9a-f]+)"/.exec(sse)?.[1];
    const next = await turn('default/app', { input: 'again', previous_response_id: id }, [{ type: 'text', text: 'ok' }]);
    expect(next.request.messages).toEqual([user('stream it'), assistant('streamed answer'), user('again')]);
  });

  it('another virtual key cannot continue the conversation, even with its id', async () => {
    const { turn, refusal } = setup();
    const first = await turn('default/team-a', { input: 'secret plans' }, [{ type: 'text', text: 'noted' }]);
    const refused = await refusal('default/team-b', { input: 'what were the plans?', previous_response_id: first.response.id });
    expect({ status: refused.status, code: refused.code, param: refused.param, message: refused.message }).toEqual({
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
      message: `Previous response with id '${first.response.id}' not found.`,
    });
  });

  it('store: false keeps nothing', async () => {
    const { turn, refusal, store } = setup();
    const first = await turn('default/app', { input: 'forget me', store: false }, [{ type: 'text', text: 'ok' }]);
    expect(store.size).toBe(0);
    expect((await refusal('default/app', { input: 'x', previous_response_id: first.response.id })).code).toBe(
      'previous_response_not_found',
    );
  });

  it('a failed answer is not kept', async () => {
    const { turn, store } = setup();
    await turn('default/app', { input: 'x' }, [{ type: 'text', text: 'partial' }], 'error');
    expect(store.size).toBe(0);
  });

  it('an unknown id is refused, naming it', async () => {
    const { refusal } = setup();
    expect((await refusal('default/app', { input: 'x', previous_response_id: 'resp_nope' })).message).toBe(
      "Previous response with id 'resp_nope' not found.",
    );
  });

  it('without a key scope nothing is stored, and previous_response_id says why it cannot work', async () => {
    const { turn, refusal, store } = setup();
    const first = await turn(undefined, { input: 'x' }, [{ type: 'text', text: 'y' }]);
    expect(store.size).toBe(0);
    const refused = await refusal(undefined, { input: 'x', previous_response_id: first.response.id });
    expect(refused.message).toMatch(/cannot tell which virtual key/);
  });

  it('refuses a turn with nothing to say', async () => {
    const { refusal } = setup();
    expect((await refusal('default/app', { instructions: 'only instructions' })).message).toMatch(/Missing required parameter: 'input'/);
  });
});

describe('responses front door: the response object', () => {
  it('names the public model and is created when the request arrived', async () => {
    const { frontDoor } = setup();
    const context = keyContext('default/app');
    const request: UnifiedChatRequest = await frontDoor.decodeChatRequest({ model: 'alias-name', input: 'x' }, context);
    expect(request.model).toBe('alias-name');
    const response = JSON.parse(frontDoor.encodeChatResponse(answer([{ type: 'text', text: 'y' }]), 'alias-name', context)) as Record<
      string,
      unknown
    >;
    expect(response).toMatchObject({ model: 'alias-name', created_at: 1_700_000_000, object: 'response', status: 'completed' });
  });

  it('refuses to encode for a context it never decoded', async () => {
    const { frontDoor } = setup();
    expect(() => frontDoor.encodeChatResponse(answer([]), 'm', keyContext('k'))).toThrow(/no decoded request/);
  });

  it("errors are OpenAI's error body", async () => {
    const { frontDoor } = setup();
    const encoded = frontDoor.encodeError(
      new GatewayError('invalid_request', "Previous response with id 'resp_x' not found.", {
        param: 'previous_response_id',
        code: 'previous_response_not_found',
      }),
    );
    expect(encoded.status).toBe(400);
    expect(JSON.parse(encoded.body)).toEqual({
      error: {
        message: "Previous response with id 'resp_x' not found.",
        type: 'invalid_request_error',
        code: 'previous_response_not_found',
        param: 'previous_response_id',
      },
    });
  });
});
