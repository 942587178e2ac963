import { describe, expect, it } from '@jest/globals';
import { AnthropicStreamDecoder } from '../../../src/wire/anthropic-messages/anthropic-stream-decoder.js';
import { JSON_RESPONSE_TOOL_NAME } from '../../../src/wire/anthropic-messages/json-response-tool.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import {
  captureAsSse,
  decodeSse,
  sseFrames,
  summarizeStream,
  type StreamSummary,
} from '../../providers/anthropic/anthropic-test-support.js';

const usage = (inputTokens: number, outputTokens: number) => ({
  inputTokens,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens,
  reasoningTokens: 0,
});

describe('AnthropicStreamDecoder: recorded streams', () => {
  const cases: Array<{ capture: string; expected: Partial<StreamSummary> }> = [
    {
      capture: 'anthropic-text.chunks.txt',
      expected: {
        id: 'msg_01QC4g3HwBThD4BaNtBckFDJ',
        model: 'claude-sonnet-4-5-20250929',
        text: "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
        reasoning: '',
        toolCalls: [],
        finish: { type: 'finish', finishReason: 'stop' },
        usage: usage(12, 30),
      },
    },
    {
      capture: 'anthropic-clear-thinking.1.chunks.txt',
      expected: {
        id: 'msg_01Y6V41gqPaKWEw7iPouH7iW',
        text: '925 ÷ 5 = 185',
        reasoning: 'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185',
        signature:
          'EvQBCkYICxgCKkAxhD4NUKFzudtZ6NzbZdEiBACIScTzqjPViM596iWLZIk4EFKYYBj3B6Ptl3b0dcQv/VeJBNbejNWIWRBn+KPNEgz6HWtKx7p+QRgKsEoaDGjsiqfht7gTRFYHiyIwD1VSmNqHxv3wy8KEMP+LYb/TC4UH3H97tuoaADARFFcA0phdfxnzKQxFnc9lwY+dKlzUsaKSUAFeu1bDL5ikZJ1vL0Fkz6JjoFke0L/wOJRIUDUlDUOFJ1tZ3ea7g6LGE/5hwuvWgLwewdcm64d+43l7F57XrOmqNd6flI2K/oPr/4yzNgvi/EhT6Ca17BgB',
        toolCalls: [],
        finish: { type: 'finish', finishReason: 'stop' },
        usage: usage(69, 53),
      },
    },
    {
      capture: 'anthropic-json-tool.1.chunks.txt',
      expected: {
        text: '',
        toolCalls: [
          {
            index: 0,
            id: 'toolu_01KFbKqPYSuAKujiL6mTfzYA',
            name: 'json',
            arguments: '{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]}',
          },
        ],
        finish: { type: 'finish', finishReason: 'tool_calls' },
        usage: usage(849, 47),
      },
    },
    {
      capture: 'anthropic-tool-no-args.chunks.txt',
      expected: {
        text: "I'll update the issue list for you.",
        // Block index 1, tool index 0: tool calls are numbered among tool calls only.
        toolCalls: [{ index: 0, id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: '{}' }],
        finish: { type: 'finish', finishReason: 'tool_calls' },
        usage: usage(565, 48),
      },
    },
    {
      capture: 'anthropic-message-delta-input-tokens.chunks.txt',
      expected: {
        id: 'msg_3196a1cc08de4d76b85b8f5777c0d42b',
        model: 'claude-opus-4-5-20251101',
        text: 'pong',
        finish: { type: 'finish', finishReason: 'stop' },
        // message_start said 43 input tokens; message_delta's cumulative 61 is the real count.
        usage: usage(61, 2),
      },
    },
    {
      capture: 'anthropic-refusal.chunks.txt',
      expected: { text: '', toolCalls: [], finish: { type: 'finish', finishReason: 'refusal' }, usage: usage(18, 5) },
    },
  ];

  it.each(cases)('$capture', ({ capture, expected }) => {
    const events = decodeSse(captureAsSse(capture));
    expect(summarizeStream(events)).toMatchObject(expected);
    expect(events[0]).toEqual({ type: 'response_start', id: expect.any(String), model: expect.any(String), created: 1_700_000_000 });
    expect(events.filter((event) => event.type === 'usage')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'finish')).toHaveLength(1);
  });

  it.each(cases)('$capture decodes the same when split at every byte size from 1 to 7', ({ capture }) => {
    const sse = captureAsSse(capture);
    const whole = decodeSse(sse);
    for (let size = 1; size <= 7; size++) expect(decodeSse(sse, size)).toEqual(whole);
  });

  it('accepts CRLF framing', () => {
    const sse = captureAsSse('anthropic-text.chunks.txt').replaceAll('\n', '\r\n');
    expect(summarizeStream(decodeSse(sse)).text).toBe(summarizeStream(decodeSse(captureAsSse('anthropic-text.chunks.txt'))).text);
  });
});

const start = {
  type: 'message_start',
  message: {
    id: 'msg_s',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 500, cache_creation_input_tokens: 30 },
  },
};
const stop = { type: 'message_stop' };
const delta = (stopReason: string, stopSequence: string | null = null, usageFields: Record<string, unknown> = { output_tokens: 9 }) => ({
  type: 'message_delta',
  delta: { stop_reason: stopReason, stop_sequence: stopSequence },
  usage: usageFields,
});

function decodeEvents(events: Array<Record<string, unknown>>): UnifiedStreamEvent[] {
  return decodeSse(sseFrames(events));
}

describe('AnthropicStreamDecoder: event handling', () => {
  it('numbers tool calls across interleaved thinking, text and tool blocks', () => {
    const events = decodeEvents([
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Two lookups.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'lookup', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"a"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'and' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'content_block_start', index: 3, content_block: { type: 'tool_use', id: 'toolu_b', name: 'lookup', input: {} } },
      { type: 'content_block_delta', index: 3, delta: { type: 'input_json_delta', partial_json: '{"q":"b"}' } },
      { type: 'content_block_stop', index: 3 },
      delta('tool_use'),
      stop,
    ]);
    expect(events.slice(1)).toEqual([
      { type: 'reasoning_delta', text: 'Two lookups.' },
      { type: 'reasoning_signature', signature: 'sig' },
      { type: 'tool_call_start', index: 0, id: 'toolu_a', name: 'lookup' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"q":' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '"a"}' },
      { type: 'text_delta', text: 'and' },
      { type: 'tool_call_start', index: 1, id: 'toolu_b', name: 'lookup' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{"q":"b"}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 550, cachedInputTokens: 500, cacheWriteTokens: 30, outputTokens: 9, reasoningTokens: 0 } },
    ]);
  });

  it('redacted thinking is passed on as opaque data', () => {
    const events = decodeEvents([
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'EmwKAhgB' } },
      { type: 'content_block_stop', index: 0 },
      delta('end_turn'),
      stop,
    ]);
    expect(events).toContainEqual({ type: 'reasoning_redacted', data: 'EmwKAhgB' });
  });

  it('stop_sequence carries the sequence', () => {
    const events = decodeEvents([start, delta('stop_sequence', 'END'), stop]);
    expect(events).toContainEqual({ type: 'finish', finishReason: 'stop', stopSequence: 'END' });
  });

  it('max_tokens -> length, pause_turn -> other', () => {
    expect(decodeEvents([start, delta('max_tokens'), stop])).toContainEqual({ type: 'finish', finishReason: 'length' });
    expect(decodeEvents([start, delta('pause_turn'), stop])).toContainEqual({ type: 'finish', finishReason: 'other' });
  });

  it('the forced JSON-answer tool streams as text and finishes with stop', () => {
    const events = decodeEvents([
      start,
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_j', name: JSON_RESPONSE_TOOL_NAME, input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"answer":' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
      { type: 'content_block_stop', index: 0 },
      delta('tool_use'),
      stop,
    ]);
    const summary = summarizeStream(events);
    expect(summary.text).toBe('{"answer":"Paris"}');
    expect(summary.toolCalls).toEqual([]);
    expect(summary.finish).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('server-tool blocks, citations and unknown events are ignored', () => {
    const events = decodeEvents([
      start,
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"query":"x"}' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'citations_delta', citation: { type: 'web_search_result_location' } } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Found.' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'some_future_event', detail: 1 },
      delta('end_turn'),
      stop,
    ]);
    const summary = summarizeStream(events);
    expect(summary.text).toBe('Found.');
    expect(summary.toolCalls).toEqual([]);
  });

  it('events after message_stop are ignored', () => {
    const events = decodeEvents([
      start,
      delta('end_turn'),
      stop,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'late' } },
    ]);
    expect(summarizeStream(events).text).toBe('');
  });
});

function failureOf(run: () => unknown): UpstreamFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof UpstreamFailure) return error;
    throw error;
  }
  throw new Error('expected an UpstreamFailure');
}

describe('AnthropicStreamDecoder: failures', () => {
  it('a stream cut before message_stop is StreamBroken', () => {
    const sse = captureAsSse('anthropic-text.chunks.txt');
    const cut = sse.slice(0, sse.indexOf('event: message_delta'));
    const failure = failureOf(() => decodeSse(cut));
    expect(failure.kind).toBe('StreamBroken');
    expect(failure.message).toMatch(/before message_stop/);
  });

  it('a stream cut in the middle of an event is StreamBroken', () => {
    const sse = captureAsSse('anthropic-text.chunks.txt');
    expect(failureOf(() => decodeSse(sse.slice(0, sse.length - 10))).kind).toBe('StreamBroken');
  });

  it('event: error -> UpstreamFailure classified by its error type', () => {
    const failure = failureOf(() => decodeEvents([start, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]));
    expect(failure.kind).toBe('ServerError');
    expect(failure.status).toBe(529);
    expect(failure.message).toBe('Overloaded');
  });

  it('an error right after message_start fails before any event is emitted, so the attempt stays retryable', () => {
    const decoder = new AnthropicStreamDecoder(() => 0);
    expect(decoder.push(new TextEncoder().encode(sseFrames([start, { type: 'ping' }])))).toEqual([]);
    const failure = failureOf(() =>
      decoder.push(new TextEncoder().encode(sseFrames([{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]))),
    );
    expect(failure.kind).toBe('ServerError');
    expect(failure.status).toBe(529);
  });

  it('response_start is released with the first content event', () => {
    const decoder = new AnthropicStreamDecoder(() => 0);
    expect(decoder.push(new TextEncoder().encode(sseFrames([start])))).toEqual([]);
    const events = decoder.push(
      new TextEncoder().encode(sseFrames([{ type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'Hi' } }])),
    );
    expect(events).toEqual([
      { type: 'response_start', id: 'msg_s', model: 'claude-x', created: 0 },
      { type: 'text_delta', text: 'Hi' },
    ]);
  });

  it('text that arrived in the same chunk before an error is delivered first, then the error', () => {
    const decoder = new AnthropicStreamDecoder(() => 0);
    const chunk = sseFrames([
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial' } },
      { type: 'error', error: { type: 'api_error', message: 'Internal server error' } },
    ]);
    const events = decoder.push(new TextEncoder().encode(chunk));
    expect(summarizeStream(events).text).toBe('partial');
    const failure = failureOf(() => decoder.end());
    expect(failure.kind).toBe('ServerError');
    expect(failure.message).toBe('Internal server error');
  });

  it('malformed JSON in an event is StreamBroken', () => {
    const failure = failureOf(() => decodeSse('event: message_start\ndata: {"type":"message_start",\n\n'));
    expect(failure.kind).toBe('StreamBroken');
    expect(failure.message).toMatch(/malformed JSON in a message_start event/);
  });
});
