import { describe, expect, it } from '@jest/globals';
import type { OpenAICompatibleProvider } from '@switchyard/compiler';
import { openAICompatibleAdapters, OPENAI_COMPATIBLE_PRESETS } from '../../../src/providers/openai-compatible/index.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import { backendTarget } from '../openai/openai-test-support.js';

// One request that uses every parameter a dialect may map or drop.
const request: UnifiedChatRequest = {
  model: 'public',
  messages: [
    { role: 'user', name: 'alice', content: [{ type: 'text', text: 'weather?' }] },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'I should call the tool' },
        { type: 'tool_call', id: 'call_abc123XYZ_long', name: 'get_weather', arguments: '{}' },
      ],
    },
    { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_abc123XYZ_long', content: [{ type: 'text', text: 'sunny' }] }] },
  ],
  tools: [{ name: 'get_weather', parameters: { type: 'object', properties: {} } }],
  toolChoice: { type: 'required' },
  parallelToolCalls: true,
  responseFormat: { type: 'json_schema', name: 'w', schema: { type: 'object' } },
  maxOutputTokens: 100,
  seed: 5,
  topK: 20,
  user: 'end-user-1',
  reasoning: { effort: 'minimal' },
  stream: true,
};

interface Expectation {
  url: string;
  present: Record<string, unknown>;
  absent: string[];
}

const table: Array<[OpenAICompatibleProvider, Expectation]> = (
  [
    [
      'mistral',
      {
        url: 'https://api.mistral.ai/v1/chat/completions',
        present: { max_tokens: 100, random_seed: 5, tool_choice: 'any', parallel_tool_calls: true },
        absent: ['seed', 'stream_options', 'user', 'reasoning_effort', 'max_completion_tokens', 'top_k'],
      },
    ],
    [
      'groq',
      {
        url: 'https://api.groq.com/openai/v1/chat/completions',
        present: {
          max_completion_tokens: 100,
          seed: 5,
          reasoning_effort: 'low',
          stream_options: { include_usage: true },
          user: 'end-user-1',
        },
        absent: ['max_tokens', 'top_k'],
      },
    ],
    [
      'deepseek',
      {
        url: 'https://api.deepseek.com/v1/chat/completions',
        present: { max_tokens: 100, response_format: { type: 'json_object' }, stream_options: { include_usage: true } },
        absent: ['seed', 'parallel_tool_calls', 'reasoning_effort', 'user', 'top_k'],
      },
    ],
    [
      'xai',
      {
        url: 'https://api.x.ai/v1/chat/completions',
        present: { max_completion_tokens: 100, reasoning_effort: 'low', seed: 5 },
        absent: ['top_k'],
      },
    ],
    [
      'together',
      {
        url: 'https://api.together.xyz/v1/chat/completions',
        present: { max_tokens: 100, top_k: 20, seed: 5 },
        absent: ['parallel_tool_calls', 'user'],
      },
    ],
    [
      'fireworks',
      {
        url: 'https://api.fireworks.ai/inference/v1/chat/completions',
        present: { max_tokens: 100, top_k: 20 },
        absent: ['parallel_tool_calls'],
      },
    ],
    [
      'openrouter',
      {
        url: 'https://openrouter.ai/api/v1/chat/completions',
        present: { max_tokens: 100, reasoning: { effort: 'low' }, top_k: 20 },
        absent: ['reasoning_effort'],
      },
    ],
    [
      'cohere',
      {
        url: 'https://api.cohere.ai/compatibility/v1/chat/completions',
        present: { max_tokens: 100, seed: 5 },
        absent: ['stream_options', 'parallel_tool_calls', 'reasoning_effort', 'user'],
      },
    ],
    [
      'ollama',
      {
        url: 'http://127.0.0.1:11434/v1/chat/completions',
        present: { max_tokens: 100, reasoning_effort: 'low' },
        absent: ['parallel_tool_calls', 'user'],
      },
    ],
    [
      'vllm',
      { url: 'http://127.0.0.1:8000/v1/chat/completions', present: { max_tokens: 100, top_k: 20, parallel_tool_calls: true }, absent: [] },
    ],
    [
      'openai-compatible',
      {
        url: 'http://127.0.0.1:9999/v1/chat/completions',
        present: { max_tokens: 100, stream_options: { include_usage: true } },
        absent: ['top_k'],
      },
    ],
  ] as Array<[string, Expectation]>
).map(([provider, e]) => [provider as OpenAICompatibleProvider, e]);

describe('OpenAI-compatible presets: one request, each provider dialect', () => {
  it('has an adapter for every compatible provider', () => {
    expect(Object.keys(openAICompatibleAdapters).sort()).toEqual(table.map(([p]) => p).sort());
  });

  it.each(table)('%s', (provider, expected) => {
    expect(OPENAI_COMPATIBLE_PRESETS[provider].provider).toBe(provider);
    const baseURL = new URL(expected.url).origin + new URL(expected.url).pathname.replace(/\/chat\/completions$/, '');
    const adapter = openAICompatibleAdapters[provider];
    const encoded = adapter.encodeChatRequest(request, backendTarget({ provider, baseURL, model: 'upstream-model' }));
    expect(encoded.url).toBe(expected.url);
    expect(encoded.headers.authorization).toBe('Bearer sk-test-upstream-key-000000000000');
    const body = JSON.parse(String(encoded.body)) as Record<string, unknown>;
    expect(body.model).toBe('upstream-model');
    expect(body).toMatchObject(expected.present);
    for (const key of expected.absent) expect(body).not.toHaveProperty(key);
  });
});

describe('OpenAI-compatible presets: provider-specific mappings', () => {
  const encode = (provider: OpenAICompatibleProvider, extra: Partial<UnifiedChatRequest> = {}): Record<string, unknown> => {
    const encoded = openAICompatibleAdapters[provider].encodeChatRequest(
      { ...request, ...extra },
      backendTarget({ provider, baseURL: 'http://h/v1' }),
    );
    return JSON.parse(String(encoded.body)) as Record<string, unknown>;
  };
  type Msg = Record<string, unknown> & { tool_calls?: Array<{ id: string }>; tool_call_id?: string };

  it('mistral: tool-call ids become nine alphanumerics, the same on both sides', () => {
    const messages = encode('mistral').messages as Msg[];
    const callId = messages[1]!.tool_calls![0]!.id;
    expect(callId).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(messages[2]!.tool_call_id).toBe(callId);
    expect(messages[0]).not.toHaveProperty('name');
  });

  it('deepseek: reasoning goes back as reasoning_content; the schema is stated in a system message', () => {
    const body = encode('deepseek');
    const messages = body.messages as Msg[];
    expect(messages[0]!.role).toBe('system');
    expect(String(messages[0]!.content)).toContain('json');
    expect(String(messages[0]!.content)).toContain('{"type":"object"}');
    expect(messages[2]).toMatchObject({ role: 'assistant', reasoning_content: 'I should call the tool' });
  });

  it('openai (reference) drops reasoning from history and keeps ids', () => {
    const messages = encode('groq').messages as Msg[];
    expect(messages[1]).not.toHaveProperty('reasoning_content');
    expect(messages[1]!.tool_calls![0]!.id).toBe('call_abc123XYZ_long');
  });

  it('xai: efforts map to the nearest level Grok accepts', () => {
    expect(encode('xai', { reasoning: { effort: 'medium' } }).reasoning_effort).toBe('high');
    expect(encode('xai', { reasoning: { effort: 'high' } }).reasoning_effort).toBe('high');
  });

  it('a local server without a credential gets no Authorization header', () => {
    const encoded = openAICompatibleAdapters.ollama.encodeChatRequest(
      request,
      backendTarget({ provider: 'ollama', baseURL: 'http://127.0.0.1:11434/v1' }, null),
    );
    expect(encoded.headers).not.toHaveProperty('authorization');
  });

  it('backend headers are sent, but never override authentication', () => {
    const encoded = openAICompatibleAdapters.openrouter.encodeChatRequest(
      request,
      backendTarget({
        provider: 'openrouter',
        baseURL: 'https://openrouter.ai/api/v1',
        headers: { 'HTTP-Referer': 'https://example.com', Authorization: 'Bearer nope' },
      }),
    );
    expect(encoded.headers['http-referer']).toBe('https://example.com');
    const authorization = Object.entries(encoded.headers).filter(([name]) => name.toLowerCase() === 'authorization');
    expect(authorization).toEqual([['authorization', 'Bearer sk-test-upstream-key-000000000000']]);
  });

  it('providers without file input refuse PDFs with UnsupportedFeatureError', () => {
    const pdf: Partial<UnifiedChatRequest> = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERg==' }, mediaType: 'application/pdf' },
          ],
        },
      ],
    };
    expect(() => encode('groq', pdf)).toThrow(/document input \(application\/pdf\) is not supported by provider groq/);
    expect(encode('openrouter', pdf).messages).toEqual([
      { role: 'user', content: [{ type: 'file', file: { filename: 'document.pdf', file_data: 'data:application/pdf;base64,JVBERg==' } }] },
    ]);
  });
});
