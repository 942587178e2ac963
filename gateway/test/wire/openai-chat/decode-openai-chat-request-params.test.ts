import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { decodeOpenAIChatRequest } from '../../../src/wire/openai-chat/decode-openai-chat-request.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';

const base = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

function decode(extra: Record<string, unknown>): UnifiedChatRequest {
  return decodeOpenAIChatRequest({ ...base, ...extra }).request;
}

function decodeError(body: unknown): GatewayError {
  try {
    decodeOpenAIChatRequest(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('OpenAI front door: request parameters -> unified request', () => {
  const cases: Array<[string, Record<string, unknown>, Partial<UnifiedChatRequest>]> = [
    ['max_tokens', { max_tokens: 100 }, { maxOutputTokens: 100 }],
    ['max_completion_tokens', { max_completion_tokens: 200 }, { maxOutputTokens: 200 }],
    ['max_completion_tokens wins over max_tokens', { max_tokens: 100, max_completion_tokens: 200 }, { maxOutputTokens: 200 }],
    ['temperature', { temperature: 0.2 }, { temperature: 0.2 }],
    ['top_p', { top_p: 0.9 }, { topP: 0.9 }],
    ['stop as a string', { stop: 'END' }, { stopSequences: ['END'] }],
    ['stop as an array', { stop: ['a', 'b'] }, { stopSequences: ['a', 'b'] }],
    ['seed', { seed: 42 }, { seed: 42 }],
    ['user', { user: 'u-1' }, { user: 'u-1' }],
    ['safety_identifier stands in for user', { safety_identifier: 'sid' }, { user: 'sid' }],
    ['frequency_penalty', { frequency_penalty: 0.5 }, { frequencyPenalty: 0.5 }],
    ['presence_penalty', { presence_penalty: -0.5 }, { presencePenalty: -0.5 }],
    ['reasoning_effort', { reasoning_effort: 'low' }, { reasoning: { effort: 'low' } }],
    ['reasoning_effort minimal', { reasoning_effort: 'minimal' }, { reasoning: { effort: 'minimal' } }],
    ['reasoning_effort xhigh clamps to high', { reasoning_effort: 'xhigh' }, { reasoning: { effort: 'high' } }],
    ['stream', { stream: true }, { stream: true }],
    ['parallel_tool_calls', { parallel_tool_calls: false }, { parallelToolCalls: false }],
    ['tool_choice auto', { tool_choice: 'auto' }, { toolChoice: { type: 'auto' } }],
    ['tool_choice none', { tool_choice: 'none' }, { toolChoice: { type: 'none' } }],
    ['tool_choice required', { tool_choice: 'required' }, { toolChoice: { type: 'required' } }],
    [
      'tool_choice function',
      { tool_choice: { type: 'function', function: { name: 'get_weather' } } },
      { toolChoice: { type: 'tool', name: 'get_weather' } },
    ],
    ['response_format text', { response_format: { type: 'text' } }, { responseFormat: { type: 'text' } }],
    ['response_format json_object', { response_format: { type: 'json_object' } }, { responseFormat: { type: 'json_object' } }],
    [
      'response_format json_schema',
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' },
        },
      },
      { responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' } },
    ],
    [
      'json_schema without a schema is JSON mode',
      { response_format: { type: 'json_schema', json_schema: { name: 'x' } } },
      { responseFormat: { type: 'json_object' } },
    ],
    [
      'tools',
      {
        tools: [
          {
            type: 'function',
            function: {
              name: 'f',
              description: 'does f',
              parameters: { type: 'object', properties: { a: { type: 'string' } } },
              strict: true,
            },
          },
        ],
      },
      {
        tools: [{ name: 'f', description: 'does f', parameters: { type: 'object', properties: { a: { type: 'string' } } }, strict: true }],
      },
    ],
    [
      'a tool without parameters takes no arguments',
      { tools: [{ type: 'function', function: { name: 'now' } }] },
      { tools: [{ name: 'now', parameters: { type: 'object', properties: {} } }] },
    ],
    ['null means unset', { temperature: null, stop: null, seed: null, max_tokens: null, n: null, tool_choice: null }, {}],
    ['n = 1 is fine', { n: 1 }, {}],
  ];

  it.each(cases)('%s', (_name, extra, expected) => {
    const request = decode(extra);
    expect(request).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: false,
      ...expected,
    });
  });

  it('reasoning_effort none leaves reasoning unset', () => {
    expect(decode({ reasoning_effort: 'none' }).reasoning).toBeUndefined();
  });

  it('remembers stream_options.include_usage', () => {
    expect(decodeOpenAIChatRequest({ ...base, stream: true, stream_options: { include_usage: true } }).includeUsage).toBe(true);
    expect(decodeOpenAIChatRequest({ ...base, stream: true }).includeUsage).toBe(false);
  });

  it('ignores parameters that cannot change the answer shape, and unknown fields', () => {
    const request = decode({
      store: true,
      metadata: { a: 'b' },
      service_tier: 'flex',
      prompt_cache_key: 'k',
      verbosity: 'low',
      logit_bias: { '50256': -100 },
      modalities: ['text'],
      stream_options: { include_obfuscation: false },
      some_future_field: { x: 1 },
    });
    // metadata and prompt_cache_key are kept for routing only (rules, affinity), never sent upstream.
    expect(request).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: false,
      routingHints: { metadata: { a: 'b' }, promptCacheKey: 'k' },
    });
  });

  it('keeps only bounded string metadata entries as routing hints, and ignores malformed ones', () => {
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, `v${i}`]));
    expect(decode({ metadata: many }).routingHints?.metadata).toEqual(Object.fromEntries(Object.entries(many).slice(0, 16)));
    expect(decode({ metadata: { n: 1, long: 'x'.repeat(513), ok: 'y' } }).routingHints).toEqual({ metadata: { ok: 'y' } });
    expect(decode({ metadata: ['a'], prompt_cache_key: 7 }).routingHints).toBeUndefined();
  });
});

describe('OpenAI front door: invalid requests name the field', () => {
  const cases: Array<[string, unknown, string]> = [
    ['body not an object', [1, 2], 'body'],
    ['missing model', { messages: base.messages }, 'model'],
    ['empty model', { ...base, model: '' }, 'model'],
    ['missing messages', { model: 'm' }, 'messages'],
    ['empty messages', { model: 'm', messages: [] }, 'messages'],
    ['n > 1', { ...base, n: 2 }, 'n'],
    ['logprobs', { ...base, logprobs: true }, 'logprobs'],
    ['audio output', { ...base, audio: { voice: 'alloy', format: 'mp3' } }, 'audio'],
    ['audio modality', { ...base, modalities: ['text', 'audio'] }, 'modalities'],
    ['web_search_options', { ...base, web_search_options: {} }, 'web_search_options'],
    ['legacy functions', { ...base, functions: [{ name: 'f' }] }, 'functions'],
    ['legacy function_call', { ...base, function_call: 'auto' }, 'function_call'],
    ['temperature out of range', { ...base, temperature: 3 }, 'temperature'],
    ['temperature not a number', { ...base, temperature: 'hot' }, 'temperature'],
    ['top_p out of range', { ...base, top_p: 1.5 }, 'top_p'],
    ['max_tokens zero', { ...base, max_tokens: 0 }, 'max_tokens'],
    ['max_completion_tokens fractional', { ...base, max_completion_tokens: 1.5 }, 'max_completion_tokens'],
    ['seed fractional', { ...base, seed: 1.5 }, 'seed'],
    ['frequency_penalty out of range', { ...base, frequency_penalty: 5 }, 'frequency_penalty'],
    ['stop entry not a string', { ...base, stop: ['a', 1] }, 'stop[1]'],
    ['stream not a boolean', { ...base, stream: 'yes' }, 'stream'],
    ['stream_options include_usage not a boolean', { ...base, stream_options: { include_usage: 'yes' } }, 'stream_options.include_usage'],
    ['reasoning_effort unknown', { ...base, reasoning_effort: 'extreme' }, 'reasoning_effort'],
    ['tool type custom', { ...base, tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0].type'],
    ['tool without name', { ...base, tools: [{ type: 'function', function: {} }] }, 'tools[0].function.name'],
    [
      'tool parameters not an object',
      { ...base, tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] },
      'tools[0].function.parameters',
    ],
    ['tool_choice unknown string', { ...base, tool_choice: 'always' }, 'tool_choice'],
    ['tool_choice allowed_tools', { ...base, tool_choice: { type: 'allowed_tools', allowed_tools: {} } }, 'tool_choice'],
    ['tool_choice function without name', { ...base, tool_choice: { type: 'function', function: {} } }, 'tool_choice.function.name'],
    ['response_format type unknown', { ...base, response_format: { type: 'yaml' } }, 'response_format.type'],
    [
      'json_schema without name',
      { ...base, response_format: { type: 'json_schema', json_schema: { schema: {} } } },
      'response_format.json_schema.name',
    ],
    ['parallel_tool_calls not a boolean', { ...base, parallel_tool_calls: 1 }, 'parallel_tool_calls'],
  ];

  it.each(cases)('%s', (_name, body, param) => {
    const error = decodeError(body);
    expect(error.kind).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toContain(param === 'body' ? 'body' : param.split('[')[0]!);
  });
});
