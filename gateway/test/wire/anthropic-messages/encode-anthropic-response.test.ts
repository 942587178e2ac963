import { describe, expect, it } from '@jest/globals';
import { encodeAnthropicResponse, RAW_TOOL_ARGUMENTS_KEY } from '../../../src/wire/anthropic-messages/encode-anthropic-response.js';
import { decodeAnthropicResponse } from '../../../src/wire/anthropic-messages/decode-anthropic-response.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { readFixtureJson } from '../../providers/anthropic/anthropic-test-support.js';

const usage = { inputTokens: 1250, cachedInputTokens: 1000, cacheWriteTokens: 200, outputTokens: 40, reasoningTokens: 10 };

function response(overrides: Partial<UnifiedChatResponse>): UnifiedChatResponse {
  return { id: 'msg_abc', model: 'gpt-4o-2024-08-06', created: 1, content: [], finishReason: 'stop', usage, ...overrides };
}

describe('encodeAnthropicResponse', () => {
  it('writes every part kind as its Anthropic block, echoing the requested model', () => {
    const body = encodeAnthropicResponse(
      response({
        content: [
          { type: 'reasoning', text: 'Think.', signature: 'sig' },
          { type: 'reasoning', text: '', redactedData: 'opaque' },
          { type: 'text', text: 'Calling.' },
          { type: 'tool_call', id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' },
          { type: 'tool_call', id: 'call_2', name: 'now', arguments: '' },
        ],
        finishReason: 'tool_calls',
      }),
      'claude-public',
    );
    expect(body).toEqual({
      id: 'msg_abc',
      type: 'message',
      role: 'assistant',
      model: 'claude-public',
      content: [
        { type: 'thinking', thinking: 'Think.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'text', text: 'Calling.' },
        { type: 'tool_use', id: 'call_1', name: 'lookup', input: { q: 'x' } },
        { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200, output_tokens: 40 },
    });
  });

  it('a stop sequence becomes stop_reason stop_sequence', () => {
    const body = encodeAnthropicResponse(response({ content: [{ type: 'text', text: 'a' }], stopSequence: '###' }), 'm');
    expect(body.stop_reason).toBe('stop_sequence');
    expect(body.stop_sequence).toBe('###');
  });

  it('empty text parts are left out', () => {
    expect(encodeAnthropicResponse(response({ content: [{ type: 'text', text: '' }] }), 'm').content).toEqual([]);
  });

  it('tool arguments that are not a JSON object are kept under a named key instead of lost', () => {
    const body = encodeAnthropicResponse(
      response({ content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{"broken' }], finishReason: 'tool_calls' }),
      'm',
    );
    expect(body.content[0]).toEqual({ type: 'tool_use', id: 'c', name: 'f', input: { [RAW_TOOL_ARGUMENTS_KEY]: '{"broken' } });
  });

  it('an upstream without an id gets a msg_ id', () => {
    expect(encodeAnthropicResponse(response({ id: '' }), 'm').id).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it.each(['anthropic-text.json', 'anthropic-clear-thinking.1.json', 'anthropic-tool-no-args.json', 'anthropic-refusal.json'])(
    'decode then encode reproduces the content, stop reason and usage of %s',
    (capture) => {
      const original = readFixtureJson(capture) as { content: unknown; stop_reason: unknown; usage: Record<string, number> };
      const body = encodeAnthropicResponse(decodeAnthropicResponse(original), 'public-name');
      expect(body.content).toEqual(original.content);
      expect(body.stop_reason).toBe(original.stop_reason);
      expect(body.usage).toEqual({
        input_tokens: original.usage['input_tokens'],
        output_tokens: original.usage['output_tokens'],
        cache_read_input_tokens: original.usage['cache_read_input_tokens'],
        cache_creation_input_tokens: original.usage['cache_creation_input_tokens'],
      });
    },
  );
});
