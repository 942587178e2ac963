import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { OpenAIChatStreamEncoder } from '../../../src/wire/openai-chat/openai-chat-stream-encoder.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { openAISchemaErrors } from '../../frontdoors/openai-chat/openai-schema-validator.js';

const usage = { inputTokens: 10, cachedInputTokens: 2, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 1 };

/** Runs events through an encoder and returns the SSE data payloads (JSON parsed, [DONE] as a string). */
function run(events: UnifiedStreamEvent[], includeUsage: boolean, finish: 'end' | GatewayError = 'end'): unknown[] {
  const encoder = new OpenAIChatStreamEncoder('public-model', includeUsage);
  let text = events.map((event) => encoder.encode(event)).join('');
  text += finish === 'end' ? encoder.end() : encoder.error(finish);
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      const data = frame.slice('data: '.length);
      return data === '[DONE]' ? data : (JSON.parse(data) as unknown);
    });
}

type Chunk = {
  id: string;
  model: string;
  created: number;
  choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: unknown;
};

describe('OpenAI front door: stream encoder', () => {
  it('text: role chunk, content deltas, finish, usage chunk, [DONE]', () => {
    const frames = run(
      [
        { type: 'response_start', id: 'chatcmpl-up', model: 'gpt-4o-2024', created: 1_700_000_000 },
        { type: 'text_delta', text: 'Hel' },
        { type: 'text_delta', text: 'lo' },
        { type: 'finish', finishReason: 'stop' },
        { type: 'usage', usage },
      ],
      true,
    );
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1) as Chunk[];
    for (const chunk of chunks) {
      expect(openAISchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      expect(chunk.id).toBe('chatcmpl-up');
      expect(chunk.model).toBe('public-model');
      expect(chunk.created).toBe(1_700_000_000);
    }
    expect(chunks.map((c) => [c.choices[0]?.delta ?? null, c.choices[0]?.finish_reason ?? null])).toEqual([
      [{ role: 'assistant', content: '', refusal: null }, null],
      [{ content: 'Hel' }, null],
      [{ content: 'lo' }, null],
      [{}, 'stop'],
      [null, null],
    ]);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 2 },
        completion_tokens_details: { reasoning_tokens: 1 },
      },
    });
  });

  it('sends no usage chunk (and no usage fields) unless the caller asked', () => {
    const frames = run(
      [
        { type: 'text_delta', text: 'x' },
        { type: 'finish', finishReason: 'length' },
        { type: 'usage', usage },
      ],
      false,
    );
    const chunks = frames.slice(0, -1) as Chunk[];
    expect(chunks).toHaveLength(3);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks[2]!.choices[0]!.finish_reason).toBe('length');
    expect(chunks[0]!.id).toMatch(/^chatcmpl-/);
  });

  it('usage that arrives before the finish still lands in the closing usage chunk', () => {
    const frames = run(
      [
        { type: 'usage', usage },
        { type: 'text_delta', text: 'x' },
        { type: 'finish', finishReason: 'stop' },
      ],
      true,
    );
    expect((frames.at(-2) as Chunk).usage).toMatchObject({ prompt_tokens: 10 });
  });

  it('tool calls: index, id, type and name first, then argument pieces', () => {
    const frames = run(
      [
        { type: 'response_start', id: 'x', model: 'm', created: 1 },
        { type: 'tool_call_start', index: 0, id: 'call_a', name: 'get_weather' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
        { type: 'tool_call_start', index: 1, id: 'call_b', name: 'get_time' },
        { type: 'tool_call_delta', index: 1, argumentsDelta: '{}' },
        { type: 'finish', finishReason: 'tool_calls' },
      ],
      false,
    );
    const chunks = frames.slice(0, -1) as Chunk[];
    for (const chunk of chunks) expect(openAISchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
    expect(chunks.slice(1).map((c) => c.choices[0]!.delta)).toEqual([
      { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
      { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{}' } }] },
      {},
    ]);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('reasoning deltas travel as reasoning_content; Anthropic signatures are dropped', () => {
    const frames = run(
      [
        { type: 'reasoning_delta', text: 'thinking' },
        { type: 'reasoning_signature', signature: 'sig' },
        { type: 'text_delta', text: 'answer' },
        { type: 'finish', finishReason: 'refusal' },
      ],
      false,
    );
    const deltas = (frames.slice(0, -1) as Chunk[]).map((c) => c.choices[0]!.delta);
    expect(deltas).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { reasoning_content: 'thinking' },
      { content: 'answer' },
      {},
    ]);
    expect((frames.at(-2) as Chunk).choices[0]!.finish_reason).toBe('content_filter');
  });

  it('an error after the first byte ends with an error event and no [DONE]', () => {
    const frames = run(
      [{ type: 'text_delta', text: 'partial' }],
      true,
      new GatewayError('upstream_failed', 'upstream stream broke', { code: 'upstream_failed' }),
    );
    expect(frames).not.toContain('[DONE]');
    const last = frames.at(-1);
    expect(last).toEqual({ error: { message: 'upstream stream broke', type: 'api_error', code: 'upstream_failed', param: null } });
    expect(openAISchemaErrors('ErrorResponse', last)).toEqual([]);
  });

  it('a stream that ends without a finish event still closes with a finish_reason', () => {
    const frames = run([{ type: 'text_delta', text: 'x' }], false);
    expect((frames.at(-2) as Chunk).choices[0]!.finish_reason).toBe('stop');
    expect(frames.at(-1)).toBe('[DONE]');
  });

  it('writes nothing after end()', () => {
    const encoder = new OpenAIChatStreamEncoder('m', false);
    encoder.encode({ type: 'text_delta', text: 'x' });
    encoder.end();
    expect(encoder.encode({ type: 'text_delta', text: 'late' })).toBe('');
    expect(encoder.end()).toBe('');
    expect(encoder.error(new GatewayError('internal', 'late'))).toBe('');
  });
});
