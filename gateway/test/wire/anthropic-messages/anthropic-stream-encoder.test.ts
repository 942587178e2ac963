import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { createAnthropicStreamEncoder } from '../../../src/wire/anthropic-messages/anthropic-stream-encoder.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { startMockHttpServer, type MockHttpServer } from '../../support/mock-http-server.js';
import { captureAsSse, decodeSse, summarizeStream } from '../../providers/anthropic/anthropic-test-support.js';

const usage = { inputTokens: 1250, cachedInputTokens: 1000, cacheWriteTokens: 200, outputTokens: 40, reasoningTokens: 0 };

function encodeAll(events: UnifiedStreamEvent[], model = 'claude-public'): string {
  const encoder = createAnthropicStreamEncoder(model);
  return events.map((event) => encoder.encode(event)).join('') + encoder.end();
}

/** The SSE text as a list of [event name, parsed data] pairs, checking the framing on the way. */
function parseFrames(sse: string): Array<[string, Record<string, unknown>]> {
  expect(sse.endsWith('\n\n')).toBe(true);
  return sse
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const match = /^event: ([a-z_]+)\ndata: (.+)$/.exec(frame);
      if (match === null) throw new Error(`not an Anthropic SSE frame: ${JSON.stringify(frame)}`);
      const data = JSON.parse(match[2] ?? '') as Record<string, unknown>;
      expect(data['type']).toBe(match[1]);
      return [match[1] ?? '', data];
    });
}

const mixed: UnifiedStreamEvent[] = [
  { type: 'response_start', id: 'msg_up', model: 'gpt-4o', created: 1 },
  { type: 'reasoning_delta', text: 'Need two ' },
  { type: 'reasoning_delta', text: 'lookups.' },
  { type: 'reasoning_signature', signature: 'sig-1' },
  { type: 'text_delta', text: 'Looking up.' },
  { type: 'tool_call_start', index: 0, id: 'call_a', name: 'lookup' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '{"q":' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '"a"}' },
  { type: 'tool_call_start', index: 1, id: 'call_b', name: 'lookup' },
  { type: 'tool_call_delta', index: 1, argumentsDelta: '{"q":"b"}' },
  { type: 'finish', finishReason: 'tool_calls' },
  { type: 'usage', usage },
];

describe('AnthropicStreamEncoder', () => {
  it('writes the Anthropic event sequence with one block per kind of content, numbered in order', () => {
    const frames = parseFrames(encodeAll(mixed));
    expect(frames.map(([name, data]) => (data['index'] === undefined ? name : `${name}:${String(data['index'])}`))).toEqual([
      'message_start',
      'ping',
      'content_block_start:0',
      'content_block_delta:0',
      'content_block_delta:0',
      'content_block_delta:0',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_delta:1',
      'content_block_stop:1',
      'content_block_start:2',
      'content_block_delta:2',
      'content_block_delta:2',
      'content_block_stop:2',
      'content_block_start:3',
      'content_block_delta:3',
      'content_block_stop:3',
      'message_delta',
      'message_stop',
    ]);
    expect(frames[0]?.[1]).toEqual({
      type: 'message_start',
      message: {
        id: 'msg_up',
        type: 'message',
        role: 'assistant',
        model: 'claude-public',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
    expect(frames[2]?.[1]).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    });
    expect(frames[5]?.[1]).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig-1' } });
    expect(frames[10]?.[1]).toEqual({
      type: 'content_block_start',
      index: 2,
      content_block: { type: 'tool_use', id: 'call_a', name: 'lookup', input: {} },
    });
    expect(frames[15]?.[1]).toEqual({
      type: 'content_block_delta',
      index: 3,
      delta: { type: 'input_json_delta', partial_json: '{"q":"b"}' },
    });
    expect(frames[17]?.[1]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200, output_tokens: 40 },
    });
  });

  it('a tool delta arriving after another block opened still lands in its own block', () => {
    const frames = parseFrames(
      encodeAll([
        { type: 'response_start', id: 'msg_1', model: 'x', created: 1 },
        { type: 'tool_call_start', index: 0, id: 'a', name: 'f' },
        { type: 'tool_call_start', index: 1, id: 'b', name: 'g' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
      ]),
    );
    expect(frames.find(([name]) => name === 'content_block_delta')?.[1]).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json: '{}' },
    });
  });

  it('redacted thinking is a block of its own, opened and closed at once', () => {
    const frames = parseFrames(
      encodeAll([
        { type: 'response_start', id: 'msg_1', model: 'x', created: 1 },
        { type: 'reasoning_redacted', data: 'opaque' },
        { type: 'text_delta', text: 'hi' },
      ]),
    );
    expect(frames.slice(2, 5).map(([, data]) => data)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'opaque' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
    ]);
  });

  it('a stream with no events still is a complete message', () => {
    const frames = parseFrames(createAnthropicStreamEncoder('m').end());
    expect(frames.map(([name]) => name)).toEqual(['message_start', 'ping', 'message_delta', 'message_stop']);
    expect(frames[2]?.[1]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 0 },
    });
  });

  it('a failure after the first byte ends the stream with event: error and nothing after it', () => {
    const encoder = createAnthropicStreamEncoder('m', { requestId: 'req_9' });
    encoder.encode({ type: 'response_start', id: 'msg_1', model: 'x', created: 1 });
    encoder.encode({ type: 'text_delta', text: 'par' });
    expect(encoder.error(new GatewayError('upstream_failed', 'upstream stream broke'))).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"upstream stream broke"},"request_id":"req_9"}\n\n',
    );
    expect(encoder.end()).toBe('');
    expect(encoder.encode({ type: 'text_delta', text: 'more' })).toBe('');
  });

  it.each([
    'anthropic-text.chunks.txt',
    'anthropic-clear-thinking.1.chunks.txt',
    'anthropic-json-tool.1.chunks.txt',
    'anthropic-tool-no-args.chunks.txt',
    'anthropic-message-delta-input-tokens.chunks.txt',
    'anthropic-refusal.chunks.txt',
  ])('%s: decoding, re-encoding and decoding again keeps text, reasoning, tool calls, finish and usage', (capture) => {
    const decoded = decodeSse(captureAsSse(capture));
    const again = decodeSse(encodeAll(decoded, 'public-name'));
    expect({ ...summarizeStream(again), model: undefined }).toEqual({ ...summarizeStream(decoded), model: undefined });
  });
});

describe('AnthropicStreamEncoder output read by the official Anthropic SDK', () => {
  let server: MockHttpServer;
  let body = '';

  beforeAll(async () => {
    server = await startMockHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(body);
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('MessageStream accumulates the blocks, stop reason and usage', async () => {
    body = encodeAll(mixed);
    const client = new Anthropic({ apiKey: 'sk-sy-test', baseURL: server.url, maxRetries: 0 });
    const message = await client.messages
      .stream({ model: 'claude-public', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    expect(message.id).toBe('msg_up');
    expect(message.model).toBe('claude-public');
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({
      input_tokens: 50,
      cache_read_input_tokens: 1000,
      cache_creation_input_tokens: 200,
      output_tokens: 40,
    });
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Need two lookups.', signature: 'sig-1' },
      expect.objectContaining({ type: 'text', text: 'Looking up.' }),
      expect.objectContaining({ type: 'tool_use', id: 'call_a', name: 'lookup', input: { q: 'a' } }),
      expect.objectContaining({ type: 'tool_use', id: 'call_b', name: 'lookup', input: { q: 'b' } }),
    ]);
  });
});
