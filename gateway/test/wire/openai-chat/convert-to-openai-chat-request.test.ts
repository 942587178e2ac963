import { describe, expect, it } from '@jest/globals';
import { convertToOpenAIChatRequest } from '../../../src/wire/openai-chat/convert-to-openai-chat-request.js';
import { OPENAI_DIALECT } from '../../../src/wire/openai-chat/openai-dialect.js';
import { UnsupportedFeatureError } from '../../../src/errors/unsupported-feature-error.js';
import type { UnifiedChatRequest, UnifiedMessage } from '../../../src/unified/chat-request.js';

const user: UnifiedMessage = { role: 'user', content: [{ type: 'text', text: 'hi' }] };

function encode(extra: Partial<UnifiedChatRequest>): Record<string, unknown> {
  const request: UnifiedChatRequest = { model: 'public', messages: [user], stream: false, ...extra };
  return convertToOpenAIChatRequest(request, 'gpt-4o-2024-08-06', OPENAI_DIALECT, 'openai') as unknown as Record<string, unknown>;
}

const tool = { name: 'f', description: 'does f', parameters: { type: 'object', properties: {} } };

describe('OpenAI adapter: unified parameters -> Chat Completions request', () => {
  const cases: Array<[string, Partial<UnifiedChatRequest>, Record<string, unknown>]> = [
    ['maxOutputTokens as max_completion_tokens', { maxOutputTokens: 64 }, { max_completion_tokens: 64 }],
    ['temperature', { temperature: 0.3 }, { temperature: 0.3 }],
    ['topP', { topP: 0.5 }, { top_p: 0.5 }],
    ['stop sequences', { stopSequences: ['x', 'y'] }, { stop: ['x', 'y'] }],
    ['seed', { seed: 7 }, { seed: 7 }],
    ['penalties', { frequencyPenalty: 0.1, presencePenalty: 0.2 }, { frequency_penalty: 0.1, presence_penalty: 0.2 }],
    ['user', { user: 'end-user' }, { user: 'end-user' }],
    ['prompt_cache_key is forwarded', { routingHints: { promptCacheKey: 'conv-42' } }, { prompt_cache_key: 'conv-42' }],
    ['metadata hints are never forwarded', { routingHints: { metadata: { team: 'a' } } }, {}],
    ['reasoning effort', { reasoning: { effort: 'minimal' } }, { reasoning_effort: 'minimal' }],
    ['thinking budget -> effort', { reasoning: { budgetTokens: 4000 } }, { reasoning_effort: 'medium' }],
    ['stream asks for usage', { stream: true }, { stream: true, stream_options: { include_usage: true } }],
    ['json mode', { responseFormat: { type: 'json_object' } }, { response_format: { type: 'json_object' } }],
    [
      'json schema',
      { responseFormat: { type: 'json_schema', name: 'a', schema: { type: 'object' }, strict: true } },
      { response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' }, strict: true } } },
    ],
    [
      'tools with parallel_tool_calls and a named choice',
      { tools: [{ ...tool, strict: true }], parallelToolCalls: false, toolChoice: { type: 'tool', name: 'f' } },
      {
        tools: [
          {
            type: 'function',
            function: { name: 'f', description: 'does f', parameters: { type: 'object', properties: {} }, strict: true },
          },
        ],
        parallel_tool_calls: false,
        tool_choice: { type: 'function', function: { name: 'f' } },
      },
    ],
    [
      'tool choice required',
      { tools: [tool], toolChoice: { type: 'required' } },
      { tools: [{ type: 'function', function: tool }], tool_choice: 'required' },
    ],
    ['parallel_tool_calls is never sent without tools', { parallelToolCalls: true }, {}],
    ['topK is not an OpenAI parameter', { topK: 40 }, {}],
  ];

  it.each(cases)('%s', (_name, extra, expected) => {
    expect(encode(extra)).toEqual({ model: 'gpt-4o-2024-08-06', messages: [{ role: 'user', content: 'hi' }], ...expected });
  });
});

describe('OpenAI adapter: unified messages -> Chat Completions messages', () => {
  const PNG = 'iVBORw0KGgo=';
  const cases: Array<[string, UnifiedMessage[], unknown[]]> = [
    [
      'system parts join into one string; names kept',
      [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
        { role: 'user', name: 'bob', content: [{ type: 'text', text: 'hi' }] },
      ],
      [
        { role: 'system', content: 'a\n\nb' },
        { role: 'user', content: 'hi', name: 'bob' },
      ],
    ],
    [
      'images: URL with detail, base64 as a data URL',
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'compare' },
            { type: 'image', source: { kind: 'url', url: 'https://x/a.png' }, detail: 'high' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG } },
          ],
        },
      ],
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'compare' },
            { type: 'image_url', image_url: { url: 'https://x/a.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    ],
    [
      'PDF document as a file part; text documents as text',
      [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERg==' },
              mediaType: 'application/pdf',
              filename: 'r.pdf',
            },
            { type: 'document', source: { kind: 'text', text: 'plain body' }, mediaType: 'text/plain', title: 'Notes' },
            {
              type: 'document',
              source: { kind: 'base64', mediaType: 'text/plain', data: Buffer.from('b64 text').toString('base64') },
              mediaType: 'text/plain',
            },
          ],
        },
      ],
      [
        {
          role: 'user',
          content: [
            { type: 'file', file: { filename: 'r.pdf', file_data: 'data:application/pdf;base64,JVBERg==' } },
            { type: 'text', text: 'Notes\n\nplain body' },
            { type: 'text', text: 'b64 text' },
          ],
        },
      ],
    ],
    [
      'cache control -> prompt_cache_breakpoint (OpenAI only)',
      [{ role: 'user', content: [{ type: 'text', text: 'ctx', cacheControl: { type: 'ephemeral' } }] }],
      [{ role: 'user', content: [{ type: 'text', text: 'ctx', prompt_cache_breakpoint: { mode: 'explicit' } }] }],
    ],
    [
      'assistant tool calls with text; reasoning not sent to OpenAI',
      [
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'thinking', signature: 's' },
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{"a":1}' },
          ],
        },
      ],
      [
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
      ],
    ],
    [
      'assistant with only tool calls has null content',
      [{ role: 'assistant', content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }] }],
      [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }],
    ],
    [
      'tool results become one tool message each, images after the run',
      [
        {
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'a',
              toolName: 'f',
              content: [
                { type: 'text', text: 'A1' },
                { type: 'text', text: 'A2' },
              ],
            },
            {
              type: 'tool_result',
              toolCallId: 'b',
              content: [{ type: 'image', source: { kind: 'url', url: 'https://x/s.png' } }],
              isError: false,
            },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c', content: [{ type: 'text', text: 'C' }] }] },
        { role: 'user', content: [{ type: 'text', text: 'next' }] },
      ],
      [
        { role: 'tool', tool_call_id: 'a', content: 'A1\nA2' },
        { role: 'tool', tool_call_id: 'b', content: '' },
        { role: 'tool', tool_call_id: 'c', content: 'C' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Images returned by tool call b:' },
            { type: 'image_url', image_url: { url: 'https://x/s.png' } },
          ],
        },
        { role: 'user', content: 'next' },
      ],
    ],
    [
      'tool results inside a user message (Anthropic shape) come first',
      [
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolCallId: 'a', content: [{ type: 'text', text: 'ok' }] },
            { type: 'text', text: 'and now?' },
          ],
        },
      ],
      [
        { role: 'tool', tool_call_id: 'a', content: 'ok' },
        { role: 'user', content: 'and now?' },
      ],
    ],
  ];

  it.each(cases)('%s', (_name, messages, expected) => {
    expect(encode({ messages }).messages).toEqual(expected);
  });

  it('refuses a document given by URL', () => {
    expect(() =>
      encode({
        messages: [
          { role: 'user', content: [{ type: 'document', source: { kind: 'url', url: 'https://x/a.pdf' }, mediaType: 'application/pdf' }] },
        ],
      }),
    ).toThrow(UnsupportedFeatureError);
  });
});
