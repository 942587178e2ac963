import { describe, expect, it } from '@jest/globals';
import {
  encodeConverseStreamEvent,
  encodeConverseStreamException,
  encodeEventStreamError,
} from '../../providers/bedrock/converse-stream-frames.js';
import { BedrockStreamDecoder } from '../../../src/wire/bedrock-converse/bedrock-stream-decoder.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { CAPTURES, captureWireBytes, foldStream, usage, type FoldedStream } from '../../providers/bedrock/bedrock-capture-support.js';

const identity = { id: 'bedrock-test-id', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', created: 1700000000 };

function decode(chunks: Uint8Array[]): UnifiedStreamEvent[] {
  const decoder = new BedrockStreamDecoder(identity);
  const events = chunks.flatMap((chunk) => decoder.push(chunk));
  return [...events, ...decoder.end()];
}

function failureOf(run: () => unknown): UpstreamFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof UpstreamFailure) return error;
    throw error;
  }
  throw new Error('expected an UpstreamFailure');
}

const SIGNATURE =
  'Ep0CCkgICxABGAIqQOWPB6/PmA5SW9jC6FvaNq3E+U9ev4FMWcFWuAho+VGLCtazKc5WDjQ5i0MuxsY0o5pKDSVWVKii8KJDusXH4eASDK7jyzuk8iij7fJNihoMxHO9haYzt48R36HVIjCb/EmIFrJLIXShqN6DN//T6vZBtO9qj1QhNWJa3CGm8VZoq80S2/Ok4U0aVaIDiZcqggHC2b8BHuv8BHZrmsR0wjU1ynansBGMdfjnG+iIv8R5lPpRmYGhSVwNybwP3aQZ6o8Dr48Rau8TJfdsArW+r7bvL7bPs4f5nnlp2vG7WkMzWwABHK3fdM44zZ1GZQaWyECNWR2GfY6dXiklo94vgpFTPuZ97mfiN3LY6uYyBwL8RkDaGAE=';

const expected: Record<(typeof CAPTURES)[number], FoldedStream> = {
  'amazon-bedrock-text': {
    text: 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."',
    reasoning: '',
    signatures: [],
    toolCalls: [],
    finish: [{ finishReason: 'stop' }],
    usage: [usage(22, 55)],
    order: ['response_start', 'text_delta', 'finish', 'usage'],
  },
  'amazon-bedrock-reasoning': {
    text: 'There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y',
    reasoning:
      'Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nr appears at positions 3, 8, and 9.\n\nSo there are 3 r\'s.',
    signatures: [SIGNATURE],
    toolCalls: [],
    finish: [{ finishReason: 'stop' }],
    usage: [usage(51, 94)],
    order: ['response_start', 'reasoning_delta', 'reasoning_signature', 'text_delta', 'finish', 'usage'],
  },
  'amazon-bedrock-tool-call.1': {
    text: '',
    reasoning: '',
    signatures: [],
    toolCalls: [{ index: 0, id: 'tool-use-id', name: 'test-tool', arguments: '{"value":"Sparkle Day"}' }],
    finish: [{ finishReason: 'tool_calls' }],
    usage: [usage(125, 45)],
    order: ['response_start', 'tool_call_start', 'tool_call_delta', 'usage', 'finish'],
  },
  'amazon-bedrock-tool-no-args': {
    text: "I'll update the issue list for you.",
    reasoning: '',
    signatures: [],
    toolCalls: [{ index: 0, id: 'tool-use-id', name: 'updateIssueList', arguments: '{}' }],
    finish: [{ finishReason: 'tool_calls' }],
    usage: [usage(100, 25)],
    order: ['response_start', 'text_delta', 'tool_call_start', 'tool_call_delta', 'usage', 'finish'],
  },
};

describe('BedrockStreamDecoder on recorded ConverseStream captures', () => {
  it.each(CAPTURES)('%s decodes to what was streamed', (name) => {
    const events = decode([captureWireBytes(name)]);
    expect(events[0]).toEqual({ type: 'response_start', ...identity });
    expect(foldStream(events)).toEqual(expected[name]);
  });

  it.each(CAPTURES)(
    '%s gives identical events for every split of the bytes',
    (name) => {
      const bytes = captureWireBytes(name);
      const whole = JSON.stringify(decode([bytes]));
      const differing: number[] = [];
      for (let split = 1; split < bytes.length; split++) {
        if (JSON.stringify(decode([bytes.subarray(0, split), bytes.subarray(split)])) !== whole) differing.push(split);
      }
      expect(differing).toEqual([]);
    },
    60_000,
  );

  it.each(CAPTURES)('%s decodes one byte at a time and with Bedrock payload padding', (name) => {
    const whole = decode([captureWireBytes(name)]);
    const bytes = captureWireBytes(name, true);
    expect(decode(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(whole);
  });
});

describe('BedrockStreamDecoder failures', () => {
  const start = encodeConverseStreamEvent({ eventType: 'messageStart', payload: { role: 'assistant' } });
  const delta = encodeConverseStreamEvent({ eventType: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Hi' } } });
  const stop = encodeConverseStreamEvent({ eventType: 'messageStop', payload: { stopReason: 'end_turn' } });

  it.each([
    ['throttlingException', 'RateLimited'],
    ['modelStreamErrorException', 'ServerError'],
    ['validationException', 'BadRequest'],
    ['internalServerException', 'ServerError'],
  ])('an exception event (%s) mid-stream becomes %s with its message', (type, kind) => {
    const decoder = new BedrockStreamDecoder(identity);
    expect(foldStream(decoder.push(Buffer.concat([start, delta]))).text).toBe('Hi');
    const failure = failureOf(() => decoder.push(encodeConverseStreamException(type, 'Model is overloaded')));
    expect(failure.kind).toBe(kind);
    expect(failure.message).toBe(`${type}: Model is overloaded`);
  });

  it('events that share a chunk with the exception are delivered before it is thrown', () => {
    const decoder = new BedrockStreamDecoder(identity);
    const events = decoder.push(Buffer.concat([start, delta, encodeConverseStreamException('throttlingException', 'slow down')]));
    expect(foldStream(events).text).toBe('Hi');
    expect(failureOf(() => decoder.end())).toMatchObject({ kind: 'RateLimited', message: 'throttlingException: slow down' });
    expect(failureOf(() => decoder.push(delta))).toMatchObject({ kind: 'RateLimited' });
  });

  it('messageStart alone produces no event, so an exception right after it fails before anything reached the client', () => {
    const decoder = new BedrockStreamDecoder(identity);
    expect(decoder.push(start)).toEqual([]);
    expect(failureOf(() => decoder.push(encodeConverseStreamException('throttlingException', 'Too many tokens')))).toMatchObject({
      kind: 'RateLimited',
    });
  });

  it('a generic event-stream error message is a ServerError', () => {
    const failure = failureOf(() => decode([start, encodeEventStreamError('InternalFailure', 'oops')]));
    expect(failure).toMatchObject({ kind: 'ServerError', message: 'InternalFailure: oops' });
  });

  it('a stream cut inside a frame is StreamBroken at end()', () => {
    const decoder = new BedrockStreamDecoder(identity);
    decoder.push(Buffer.concat([start, delta, stop.subarray(0, 10)]));
    expect(failureOf(() => decoder.end())).toMatchObject({
      kind: 'StreamBroken',
      message: expect.stringContaining('ended inside a message'),
    });
  });

  it('a stream cut between frames before messageStop is StreamBroken at end()', () => {
    expect(failureOf(() => decode([start, delta]))).toMatchObject({
      kind: 'StreamBroken',
      message: 'Bedrock stream ended before its messageStop event',
    });
  });

  it('a corrupted frame is StreamBroken', () => {
    const corrupted = Uint8Array.from(delta);
    corrupted[corrupted.length - 6] = (corrupted[corrupted.length - 6] as number) ^ 0xff;
    expect(failureOf(() => decode([start, corrupted]))).toMatchObject({
      kind: 'StreamBroken',
      message: expect.stringContaining('CRC mismatch'),
    });
  });

  it('tool input for a block that never started a tool call is StreamBroken', () => {
    const orphan = encodeConverseStreamEvent({
      eventType: 'contentBlockDelta',
      payload: { contentBlockIndex: 3, delta: { toolUse: { input: '{}' } } },
    });
    expect(failureOf(() => decode([start, orphan]))).toMatchObject({ kind: 'StreamBroken' });
  });

  it('ignores event types it does not know', () => {
    const future = encodeConverseStreamEvent({ eventType: 'someFutureEvent', payload: { x: 1 } });
    expect(foldStream(decode([start, future, delta, stop])).text).toBe('Hi');
  });
});

describe('BedrockStreamDecoder details', () => {
  it('streams the response_format answer tool as text and finishes with stop', () => {
    const events = decode(
      [
        { eventType: 'messageStart', payload: { role: 'assistant' } },
        {
          eventType: 'contentBlockStart',
          payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't', name: 'switchyard_json_response' } } },
        },
        { eventType: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":' } } } },
        { eventType: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolUse: { input: '"Paris"}' } } } },
        { eventType: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
        { eventType: 'messageStop', payload: { stopReason: 'tool_use' } },
      ].map((e) => encodeConverseStreamEvent(e)),
    );
    const folded = foldStream(events);
    expect(folded.text).toBe('{"city":"Paris"}');
    expect(folded.toolCalls).toEqual([]);
    expect(folded.finish).toEqual([{ finishReason: 'stop' }]);
  });

  it('numbers tool calls in the order they start and reports the stop sequence', () => {
    const events = decode(
      [
        { eventType: 'contentBlockStart', payload: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'a', name: 'f' } } } },
        { eventType: 'contentBlockStart', payload: { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'b', name: 'g' } } } },
        { eventType: 'contentBlockDelta', payload: { contentBlockIndex: 2, delta: { toolUse: { input: '{"y":2}' } } } },
        { eventType: 'contentBlockDelta', payload: { contentBlockIndex: 1, delta: { toolUse: { input: '{"x":1}' } } } },
        { eventType: 'messageStop', payload: { stopReason: 'stop_sequence', additionalModelResponseFields: { stop_sequence: '###' } } },
        {
          eventType: 'metadata',
          payload: { usage: { inputTokens: 5, outputTokens: 6, cacheReadInputTokens: 100, cacheWriteInputTokens: 0 } },
        },
      ].map((e) => encodeConverseStreamEvent(e)),
    );
    const folded = foldStream(events);
    expect(folded.toolCalls).toEqual([
      { index: 0, id: 'a', name: 'f', arguments: '{"x":1}' },
      { index: 1, id: 'b', name: 'g', arguments: '{"y":2}' },
    ]);
    expect(folded.finish).toEqual([{ finishReason: 'stop', stopSequence: '###' }]);
    expect(folded.usage).toEqual([usage(105, 6, 100, 0)]);
  });

  it('passes redacted reasoning through', () => {
    const events = decode(
      [
        { eventType: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { reasoningContent: { redactedContent: 'b3BhcXVl' } } } },
        { eventType: 'messageStop', payload: { stopReason: 'end_turn' } },
      ].map((e) => encodeConverseStreamEvent(e)),
    );
    expect(events).toContainEqual({ type: 'reasoning_redacted', data: 'b3BhcXVl' });
  });
});
