import { describe, expect, it } from '@jest/globals';
import { APIError } from 'openai';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { ResponsesStreamEncoder, type FinishedStream } from '../../../src/wire/openai-responses/responses-stream-encoder.js';
import { decodeReasoningState } from '../../../src/wire/openai-responses/responses-reasoning-state.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { parseResponsesSse, streamSchemaErrors, type SseFrame } from '../../frontdoors/openai-responses/responses-schema-validator.js';
import { RESPONSES_USAGE, replayThroughSdk, testEnvelope, USAGE } from '../../frontdoors/openai-responses/responses-test-support.js';

const START: UnifiedStreamEvent = { type: 'response_start', id: 'up-1', model: 'provider-model', created: 1 };
const USAGE_EVENT: UnifiedStreamEvent = { type: 'usage', usage: USAGE };

interface Encoded {
  sse: string;
  frames: SseFrame[];
  types: string[];
  finished: FinishedStream[];
}

function encodeStream(
  events: UnifiedStreamEvent[],
  options: { includeEncryptedReasoning?: boolean; failWith?: GatewayError } = {},
): Encoded {
  const finished: FinishedStream[] = [];
  const encoder = new ResponsesStreamEncoder(
    testEnvelope(),
    { includeEncryptedReasoning: options.includeEncryptedReasoning ?? false },
    (f) => finished.push(f),
  );
  let sse = events.map((event) => encoder.encode(event)).join('');
  sse += options.failWith === undefined ? encoder.end() : encoder.error(options.failWith);
  // Nothing more once closed.
  expect(encoder.end() + encoder.error(new GatewayError('internal', 'late'))).toBe('');
  const frames = parseResponsesSse(sse);
  return { sse, frames, types: frames.map((frame) => frame.data.type as string), finished };
}

const TEXT_ITEM = ['response.output_item.added', 'response.content_part.added'];
const TEXT_DONE = ['response.output_text.done', 'response.content_part.done', 'response.output_item.done'];
const REASONING_ITEM = ['response.output_item.added', 'response.reasoning_summary_part.added'];
const REASONING_DONE = ['response.reasoning_summary_text.done', 'response.reasoning_summary_part.done', 'response.output_item.done'];
const OPENING = ['response.created', 'response.in_progress'];

describe('unified stream -> Responses semantic events', () => {
  const cases: Array<[string, UnifiedStreamEvent[], string[], { status: string; text?: string; output: unknown[] }]> = [
    [
      'text',
      [
        START,
        { type: 'text_delta', text: 'Hel' },
        { type: 'text_delta', text: 'lo' },
        { type: 'finish', finishReason: 'stop' },
        USAGE_EVENT,
      ],
      [...OPENING, ...TEXT_ITEM, 'response.output_text.delta', 'response.output_text.delta', ...TEXT_DONE, 'response.completed'],
      {
        status: 'completed',
        text: 'Hello',
        output: [{ type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'Hello' }] }],
      },
    ],
    [
      'usage before the finish reason, empty deltas skipped',
      [START, USAGE_EVENT, { type: 'text_delta', text: '' }, { type: 'text_delta', text: 'Hi' }, { type: 'finish', finishReason: 'stop' }],
      [...OPENING, ...TEXT_ITEM, 'response.output_text.delta', ...TEXT_DONE, 'response.completed'],
      { status: 'completed', text: 'Hi', output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hi' }] }] },
    ],
    [
      'reasoning, then text',
      [
        START,
        { type: 'reasoning_delta', text: 'Think' },
        { type: 'reasoning_delta', text: 'ing.' },
        { type: 'text_delta', text: 'Answer' },
        { type: 'finish', finishReason: 'stop' },
        USAGE_EVENT,
      ],
      [
        ...OPENING,
        ...REASONING_ITEM,
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        ...REASONING_DONE,
        ...TEXT_ITEM,
        'response.output_text.delta',
        ...TEXT_DONE,
        'response.completed',
      ],
      {
        status: 'completed',
        text: 'Answer',
        output: [
          { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking.' }] },
          { type: 'message', content: [{ type: 'output_text', text: 'Answer' }] },
        ],
      },
    ],
    [
      'text, then parallel tool calls whose argument deltas interleave',
      [
        START,
        { type: 'text_delta', text: 'Checking.' },
        { type: 'tool_call_start', index: 0, id: 'call_a', name: 'get_weather' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
        { type: 'tool_call_start', index: 1, id: 'call_b', name: 'get_time' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
        { type: 'tool_call_delta', index: 1, argumentsDelta: '{}' },
        { type: 'finish', finishReason: 'tool_calls' },
        USAGE_EVENT,
      ],
      [
        ...OPENING,
        ...TEXT_ITEM,
        'response.output_text.delta',
        ...TEXT_DONE,
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ],
      {
        status: 'completed',
        output: [
          { type: 'message', content: [{ type: 'output_text', text: 'Checking.' }] },
          { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
          { type: 'function_call', call_id: 'call_b', name: 'get_time', arguments: '{}', status: 'completed' },
        ],
      },
    ],
    [
      'max tokens reached: response.incomplete',
      [START, { type: 'text_delta', text: 'Once' }, { type: 'finish', finishReason: 'length' }, USAGE_EVENT],
      [...OPENING, ...TEXT_ITEM, 'response.output_text.delta', ...TEXT_DONE, 'response.incomplete'],
      {
        status: 'incomplete',
        text: 'Once',
        output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Once' }] }],
      },
    ],
    [
      'max tokens while a tool call streams: only the item still open is incomplete',
      [
        START,
        { type: 'text_delta', text: 'Calling.' },
        { type: 'tool_call_start', index: 0, id: 'call_a', name: 'f' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '{"a":' },
        { type: 'finish', finishReason: 'length' },
      ],
      [
        ...OPENING,
        ...TEXT_ITEM,
        'response.output_text.delta',
        ...TEXT_DONE,
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.incomplete',
      ],
      {
        status: 'incomplete',
        output: [
          { type: 'message', status: 'completed' },
          { type: 'function_call', arguments: '{"a":', status: 'incomplete' },
        ],
      },
    ],
    [
      'a wordless refusal: a refusal part',
      [START, { type: 'finish', finishReason: 'refusal' }, USAGE_EVENT],
      [
        ...OPENING,
        'response.output_item.added',
        'response.content_part.added',
        'response.refusal.delta',
        'response.refusal.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ],
      { status: 'completed', output: [{ type: 'message', content: [{ type: 'refusal', refusal: 'The model declined to respond.' }] }] },
    ],
    ['an upstream that sent nothing at all', [], [...OPENING, 'response.completed'], { status: 'completed', output: [] }],
  ];

  it.each(cases)('%s', async (_name, events, types, expected) => {
    const { sse, frames, types: actual, finished } = encodeStream(events);
    expect(actual).toEqual(types);
    expect(streamSchemaErrors(frames)).toEqual([]);
    expect(frames.map((frame) => frame.data.sequence_number)).toEqual(frames.map((_, i) => i));

    const terminal = frames.at(-1)!.data.response as Record<string, unknown>;
    expect(terminal).toMatchObject({ id: 'resp_test', model: 'public-model', status: expected.status, output: expected.output });
    expect(terminal.usage).toEqual(events.includes(USAGE_EVENT) ? RESPONSES_USAGE : undefined);

    // The SDK's own accumulator rebuilds the same response from the events.
    const replay = await replayThroughSdk(sse);
    expect(replay.thrown).toBeUndefined();
    expect(replay.snapshot).toMatchObject({ status: expected.status, output: expected.output });
    if (expected.text !== undefined) expect(replay.snapshot?.output_text).toBe(expected.text);
    expect(finished).toHaveLength(1);
    expect(finished[0]!.response).toEqual(terminal);
  });

  it('items announced as in progress carry no content yet; every item id is announced before use', () => {
    const { frames } = encodeStream([
      START,
      { type: 'text_delta', text: 'a' },
      { type: 'tool_call_start', index: 0, id: 'c', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
    ]);
    const added = frames.filter((f) => f.data.type === 'response.output_item.added').map((f) => f.data.item as Record<string, unknown>);
    expect(added).toMatchObject([
      { type: 'message', status: 'in_progress', content: [] },
      { type: 'function_call', status: 'in_progress', arguments: '', call_id: 'c', name: 'f' },
    ]);
    const announced = new Set(added.map((item) => item.id));
    for (const frame of frames) if (typeof frame.data.item_id === 'string') expect(announced.has(frame.data.item_id)).toBe(true);
  });

  it('hands the finished output to the store as unified parts, signatures included', () => {
    const { finished } = encodeStream([
      START,
      { type: 'reasoning_delta', text: 'hmm' },
      { type: 'reasoning_signature', signature: 'sig==' },
      { type: 'reasoning_redacted', data: 'opaque' },
      { type: 'text_delta', text: 'ok' },
      { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"a":1}' },
      { type: 'finish', finishReason: 'tool_calls' },
    ]);
    expect(finished[0]!.content).toEqual([
      { type: 'reasoning', text: 'hmm', signature: 'sig==' },
      { type: 'reasoning', text: '', redactedData: 'opaque' },
      { type: 'text', text: 'ok' },
      { type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{"a":1}' },
    ]);
  });

  it('reasoning state travels in encrypted_content when the caller asked for it', () => {
    const { frames } = encodeStream(
      [
        START,
        { type: 'reasoning_delta', text: 'hmm' },
        { type: 'reasoning_signature', signature: 'sig==' },
        { type: 'text_delta', text: 'ok' },
        { type: 'finish', finishReason: 'stop' },
      ],
      { includeEncryptedReasoning: true },
    );
    expect(streamSchemaErrors(frames)).toEqual([]);
    const output = (frames.at(-1)!.data.response as { output: Array<{ type: string; encrypted_content?: string }> }).output;
    expect(decodeReasoningState(output[0]!.encrypted_content ?? '')).toEqual({ text: 'hmm', signature: 'sig==' });
  });
});

describe('a stream that fails after it began', () => {
  const failure = new GatewayError('upstream_failed', 'upstream stream failed after it began: connection reset', {
    code: 'upstream_stream_failed',
  });

  it('ends with an error event, then response.failed holding the partial output; nothing is stored', async () => {
    const { sse, frames, types, finished } = encodeStream([START, { type: 'text_delta', text: 'partial' }], { failWith: failure });
    expect(types).toEqual([...OPENING, ...TEXT_ITEM, 'response.output_text.delta', 'error', 'response.failed']);
    expect(streamSchemaErrors(frames)).toEqual([]);
    expect(frames.at(-2)!.data).toMatchObject({
      type: 'error',
      code: 'upstream_stream_failed',
      message: failure.message,
      param: null,
      error: { type: 'api_error', code: 'upstream_stream_failed', message: failure.message, param: null },
    });
    expect(frames.at(-1)!.data.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: failure.message },
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'partial' }] }],
    });
    expect(finished).toEqual([]);

    // The SDKs throw on the error event, with its message.
    const replay = await replayThroughSdk(sse);
    expect(replay.thrown).toBeInstanceOf(APIError);
    expect((replay.thrown as APIError).message).toContain('connection reset');
  });

  it('before any event: the opening events, then the failure', () => {
    const { frames, types } = encodeStream([], {
      failWith: new GatewayError('upstream_timeout', 'upstream stream failed after it began: idle', { code: 'upstream_timeout' }),
    });
    expect(types).toEqual([...OPENING, 'error', 'response.failed']);
    expect(streamSchemaErrors(frames)).toEqual([]);
  });
});
