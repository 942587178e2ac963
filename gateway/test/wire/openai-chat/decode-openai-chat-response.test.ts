import { describe, expect, it } from '@jest/globals';
import { decodeOpenAIChatResponse } from '../../../src/wire/openai-chat/decode-openai-chat-response.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { readJsonFixture } from '../../providers/openai/openai-test-support.js';

const completion = (
  message: Record<string, unknown>,
  finishReason: string | null = 'stop',
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  id: 'chatcmpl-9',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
  ...extra,
});

describe('OpenAI-format response decoding: recorded responses', () => {
  const captures: Array<[string, Partial<UnifiedChatResponse>, { text?: RegExp; reasoning?: RegExp; toolCalls?: unknown[] }]> = [
    [
      'openai-text',
      {
        id: 'chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU',
        model: 'gpt-4.1-nano-2025-04-14',
        created: 1770933883,
        finishReason: 'stop',
        usage: { inputTokens: 16, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 363, reasoningTokens: 0 },
      },
      { text: /^\*\*Holiday Name:\*\* Galaxy Day/ },
    ],
    [
      'deepseek-reasoning',
      {
        model: 'deepseek-reasoner',
        finishReason: 'stop',
        usage: { inputTokens: 18, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 345, reasoningTokens: 315 },
      },
      { text: /three instances of the letter "r"/, reasoning: /^We are asked/ },
    ],
    [
      'deepseek-tool-call',
      {
        finishReason: 'tool_calls',
        usage: { inputTokens: 339, cachedInputTokens: 320, cacheWriteTokens: 0, outputTokens: 92, reasoningTokens: 48 },
      },
      {
        reasoning: /^The user is asking/,
        toolCalls: [
          { type: 'tool_call', id: 'call_00_9V0vrf86Pc9aelHCJMZqnJBo', name: 'weather', arguments: '{"location": "San Francisco"}' },
        ],
      },
    ],
    ['deepseek-text', { model: 'deepseek-chat' }, { text: /./ }],
    [
      'groq-text',
      {
        model: 'llama-3.3-70b-versatile',
        usage: { inputTokens: 45, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 607, reasoningTokens: 0 },
      },
      { text: /Luminaria/ },
    ],
    [
      'groq-tool-call',
      {
        finishReason: 'tool_calls',
        usage: { inputTokens: 218, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 15, reasoningTokens: 0 },
      },
      { toolCalls: [{ type: 'tool_call', id: 'ax9fskhev', name: 'weather', arguments: '{}' }] },
    ],
    [
      'mistral-text',
      {
        id: '5319bd0299614c679a0068a4f2c8ffd0',
        model: 'mistral-small-latest',
        usage: { inputTokens: 13, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 434, reasoningTokens: 0 },
      },
      { text: /World Kindness Day/ },
    ],
  ];

  it.each(captures)('%s', (name, expected, content) => {
    const response = decodeOpenAIChatResponse(readJsonFixture(name), 'openai');
    expect(response).toMatchObject(expected);
    const text = response.content
      .filter((p) => p.type === 'text')
      .map((p) => (p.type === 'text' ? p.text : ''))
      .join('');
    const reasoning = response.content
      .filter((p) => p.type === 'reasoning')
      .map((p) => (p.type === 'reasoning' ? p.text : ''))
      .join('');
    if (content.text) expect(text).toMatch(content.text);
    else expect(text).toBe('');
    if (content.reasoning) {
      expect(reasoning).toMatch(content.reasoning);
      expect(response.content[0]!.type).toBe('reasoning');
    } else expect(reasoning).toBe('');
    expect(response.content.filter((p) => p.type === 'tool_call')).toEqual(content.toolCalls ?? []);
  });
});

describe('OpenAI-format response decoding: shapes', () => {
  it('maps a refusal to text with finish reason refusal', () => {
    const response = decodeOpenAIChatResponse(completion({ content: null, refusal: 'I refuse' }), 'openai');
    expect(response.content).toEqual([{ type: 'text', text: 'I refuse' }]);
    expect(response.finishReason).toBe('refusal');
  });

  it("reads Mistral's chunked content with thinking", () => {
    const response = decodeOpenAIChatResponse(
      completion({
        content: [
          { type: 'thinking', thinking: [{ type: 'text', text: 'hmm' }] },
          { type: 'text', text: 'answer' },
        ],
      }),
      'mistral',
    );
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'hmm' },
      { type: 'text', text: 'answer' },
    ]);
  });

  const finishCases: Array<[string | null, string]> = [
    ['stop', 'stop'],
    ['length', 'length'],
    ['model_length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['function_call', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['insufficient_system_resource', 'error'],
    ['error', 'error'],
    [null, 'other'],
    ['something_new', 'other'],
  ];
  it.each(finishCases)('finish_reason %s -> %s', (wire, unified) => {
    expect(decodeOpenAIChatResponse(completion({ content: 'x' }, wire), 'openai').finishReason).toBe(unified);
  });

  it('takes usage from x_groq when the top level has none, and generates missing tool-call ids', () => {
    const response = decodeOpenAIChatResponse(
      completion({ content: null, tool_calls: [{ type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }, 'tool_calls', {
        x_groq: { usage: { prompt_tokens: 4, completion_tokens: 2 } },
      }),
      'groq',
    );
    expect(response.usage.inputTokens).toBe(4);
    expect(response.content).toEqual([{ type: 'tool_call', id: expect.stringMatching(/^call_/), name: 'f', arguments: '{"a":1}' }]);
  });

  const malformed: Array<[string, unknown]> = [
    ['not an object', 'hello'],
    ['no choices', { id: 'x' }],
    ['no message', { choices: [{ index: 0 }] }],
  ];
  it.each(malformed)('a malformed body (%s) is a ServerError', (_name, body) => {
    expect(() => decodeOpenAIChatResponse(body, 'openai')).toThrow(UpstreamFailure);
    try {
      decodeOpenAIChatResponse(body, 'openai');
    } catch (error) {
      expect((error as UpstreamFailure).kind).toBe('ServerError');
    }
  });
});
