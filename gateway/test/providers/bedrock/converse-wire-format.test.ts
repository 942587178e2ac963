import { describe, expect, it } from '@jest/globals';
import { converseResponseFromUnified, converseStopReasonFromUnified, converseStreamEventsFromUnified } from './converse-from-unified.js';
import { encodeConverseStreamEvent, parseConverseStreamCapture } from './converse-stream-frames.js';
import { BedrockStreamDecoder } from '../../../src/wire/bedrock-converse/bedrock-stream-decoder.js';
import { convertFromBedrockConverse } from '../../../src/wire/bedrock-converse/convert-from-bedrock-converse.js';
import { decodeEventStreamMessage, stringHeader } from '../../../src/wire/aws-event-stream/event-stream-codec.js';
import type { FinishReason, UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { foldStream, usage } from './bedrock-capture-support.js';

const identity = { id: 'id-1', model: 'm', created: 1 };

const scripted: UnifiedChatResponse = {
  ...identity,
  content: [
    { type: 'reasoning', text: 'Think about Paris weather', signature: 'c2ln' },
    { type: 'text', text: 'Checking the weather in Paris ✓ now.' },
    { type: 'tool_call', id: 'tooluse_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
  ],
  finishReason: 'tool_calls',
  usage: usage(300, 42, 200, 50),
};

describe('ConverseStream frames', () => {
  it('frames an event with the headers Bedrock sends and the payload as JSON', () => {
    const message = decodeEventStreamMessage(
      encodeConverseStreamEvent({ eventType: 'messageStart', payload: { role: 'assistant' } }, { padding: 'abc' }),
    );
    expect(stringHeader(message, ':event-type')).toBe('messageStart');
    expect(stringHeader(message, ':message-type')).toBe('event');
    expect(stringHeader(message, ':content-type')).toBe('application/json');
    expect(JSON.parse(new TextDecoder().decode(message.payload))).toEqual({ role: 'assistant', p: 'abc' });
  });

  it('refuses a capture line that is not one known event', () => {
    expect(() => parseConverseStreamCapture('{"messageStart":{}}\n{"bogus":{}}')).toThrow(/line 2/);
    expect(() => parseConverseStreamCapture('{"messageStart":{},"metadata":{}}')).toThrow(/line 1/);
  });
});

describe('unified -> Converse (mock side) is undone by the adapter', () => {
  it('non-streaming', () => {
    expect(convertFromBedrockConverse(JSON.parse(JSON.stringify(converseResponseFromUnified(scripted))), identity)).toEqual(scripted);
  });

  it('streaming', () => {
    const decoder = new BedrockStreamDecoder(identity);
    const bytes = Buffer.concat(converseStreamEventsFromUnified(scripted, 5).map((e) => encodeConverseStreamEvent(e)));
    const folded = foldStream([...decoder.push(bytes), ...decoder.end()]);
    expect(folded).toMatchObject({
      text: 'Checking the weather in Paris ✓ now.',
      reasoning: 'Think about Paris weather',
      signatures: ['c2ln'],
      toolCalls: [{ index: 0, id: 'tooluse_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      finish: [{ finishReason: 'tool_calls' }],
      usage: [scripted.usage],
    });
  });

  it.each<[FinishReason, string | undefined, string]>([
    ['stop', undefined, 'end_turn'],
    ['stop', 'END', 'stop_sequence'],
    ['length', undefined, 'max_tokens'],
    ['tool_calls', undefined, 'tool_use'],
    ['content_filter', undefined, 'content_filtered'],
    ['refusal', undefined, 'content_filtered'],
    ['error', undefined, 'malformed_model_output'],
  ])('finish %s (stop sequence %s) <- stopReason %s', (finishReason, stopSequence, stopReason) => {
    expect(converseStopReasonFromUnified(finishReason, stopSequence)).toBe(stopReason);
    const response: UnifiedChatResponse = {
      ...identity,
      content: [{ type: 'text', text: 'x' }],
      finishReason,
      usage: usage(1, 1),
      ...(stopSequence ? { stopSequence } : {}),
    };
    const back = convertFromBedrockConverse(converseResponseFromUnified(response), identity);
    expect(back.stopSequence).toBe(stopSequence);
    expect(back.finishReason).toBe(finishReason === 'refusal' ? 'content_filter' : finishReason);
  });
});
