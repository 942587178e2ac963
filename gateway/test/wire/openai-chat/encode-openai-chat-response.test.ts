import { describe, expect, it } from '@jest/globals';
import { encodeOpenAIChatCompletion } from '../../../src/wire/openai-chat/encode-openai-chat-response.js';
import type { OpenAIChatCompletion } from '../../../src/wire/openai-chat/openai-chat-types.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { openAISchemaErrors } from '../../frontdoors/openai-chat/openai-schema-validator.js';

const usage = { inputTokens: 120, cachedInputTokens: 100, cacheWriteTokens: 0, outputTokens: 50, reasoningTokens: 20 };

function response(overrides: Partial<UnifiedChatResponse>): UnifiedChatResponse {
  return {
    id: 'msg_01abc',
    model: 'claude-sonnet-4-5',
    created: 1_760_000_000,
    content: [{ type: 'text', text: 'Hello' }],
    finishReason: 'stop',
    usage,
    ...overrides,
  };
}

describe('OpenAI front door: unified response -> chat.completion', () => {
  it('echoes the public model name, prefixes the id and maps usage', () => {
    const out = encodeOpenAIChatCompletion(response({}), 'my-model');
    expect(out).toEqual({
      id: 'chatcmpl-msg_01abc',
      object: 'chat.completion',
      created: 1_760_000_000,
      model: 'my-model',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello', refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 120,
        completion_tokens: 50,
        total_tokens: 170,
        prompt_tokens_details: { cached_tokens: 100 },
        completion_tokens_details: { reasoning_tokens: 20 },
      },
    });
    expect(openAISchemaErrors('CreateChatCompletionResponse', out)).toEqual([]);
  });

  it('keeps an upstream chatcmpl- id as it is', () => {
    expect(encodeOpenAIChatCompletion(response({ id: 'chatcmpl-xyz' }), 'm').id).toBe('chatcmpl-xyz');
  });

  it('invents an id when the upstream gave none', () => {
    expect(encodeOpenAIChatCompletion(response({ id: '' }), 'm').id).toMatch(/^chatcmpl-[A-Za-z0-9_-]{16}$/);
  });

  const finishCases: Array<[UnifiedChatResponse['finishReason'], string]> = [
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['refusal', 'content_filter'],
    ['error', 'stop'],
    ['other', 'stop'],
  ];
  it.each(finishCases)('finish reason %s -> %s', (unified, wire) => {
    const out = encodeOpenAIChatCompletion(response({ finishReason: unified }), 'm');
    expect(out.choices[0]!.finish_reason).toBe(wire);
    expect(openAISchemaErrors('CreateChatCompletionResponse', out)).toEqual([]);
  });

  it('puts tool calls in message.tool_calls with null content when there is no text', () => {
    const out: OpenAIChatCompletion = encodeOpenAIChatCompletion(
      response({
        content: [
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_2', name: 'get_time', arguments: '{}' },
        ],
        finishReason: 'tool_calls',
      }),
      'm',
    );
    expect(out.choices[0]!.message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      annotations: [],
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
      ],
    });
    expect(out.choices[0]!.finish_reason).toBe('tool_calls');
    expect(openAISchemaErrors('CreateChatCompletionResponse', out)).toEqual([]);
  });

  it('reports a refusal in message.refusal', () => {
    const out = encodeOpenAIChatCompletion(
      response({ content: [{ type: 'text', text: 'I cannot help with that.' }], finishReason: 'refusal' }),
      'm',
    );
    expect(out.choices[0]!.message.content).toBeNull();
    expect(out.choices[0]!.message.refusal).toBe('I cannot help with that.');
    expect(out.choices[0]!.finish_reason).toBe('content_filter');
  });

  it('carries reasoning as reasoning_content beside the text', () => {
    const out = encodeOpenAIChatCompletion(
      response({
        content: [
          { type: 'reasoning', text: 'hmm', signature: 'sig' },
          { type: 'text', text: '42' },
        ],
      }),
      'm',
    );
    expect(out.choices[0]!.message.content).toBe('42');
    expect(out.choices[0]!.message.reasoning_content).toBe('hmm');
    expect(openAISchemaErrors('CreateChatCompletionResponse', out)).toEqual([]);
  });

  it('reports cache writes when a provider counted them', () => {
    const out = encodeOpenAIChatCompletion(response({ usage: { ...usage, cacheWriteTokens: 7 } }), 'm');
    expect(out.usage!.prompt_tokens_details).toEqual({ cached_tokens: 100, cache_write_tokens: 7 });
    expect(openAISchemaErrors('CreateChatCompletionResponse', out)).toEqual([]);
  });
});
