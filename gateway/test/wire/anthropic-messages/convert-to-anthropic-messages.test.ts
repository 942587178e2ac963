import { describe, expect, it } from '@jest/globals';
import { convertToAnthropicMessagesRequest } from '../../../src/wire/anthropic-messages/convert-to-anthropic-messages.js';
import { JSON_RESPONSE_TOOL_NAME } from '../../../src/wire/anthropic-messages/json-response-tool.js';
import type { UnifiedChatRequest, UnifiedMessage } from '../../../src/unified/chat-request.js';
import { chatRequest } from '../../providers/anthropic/anthropic-test-support.js';

const defaults = { model: 'claude-sonnet-4-5', defaultMaxTokens: 4096 };
const hello: UnifiedMessage = { role: 'user', content: [{ type: 'text', text: 'Hello' }] };
const helloBlocks = [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }];
const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
};
const anthropicWeatherTool = { name: 'get_weather', description: 'Weather for a city', input_schema: weatherTool.parameters };

function convert(overrides: Partial<UnifiedChatRequest>) {
  return convertToAnthropicMessagesRequest(chatRequest(overrides), defaults) as unknown as Record<string, unknown>;
}

describe('convertToAnthropicMessagesRequest: request parameters', () => {
  const cases: Array<{ name: string; request: Partial<UnifiedChatRequest>; expected: Record<string, unknown>; absent?: string[] }> = [
    {
      name: 'model is the backend model, max_tokens falls back to the route default',
      request: {},
      expected: { model: 'claude-sonnet-4-5', max_tokens: 4096, messages: helloBlocks },
      absent: ['system', 'tools', 'tool_choice', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'metadata', 'thinking', 'stream'],
    },
    { name: 'maxOutputTokens -> max_tokens', request: { maxOutputTokens: 321 }, expected: { max_tokens: 321 } },
    { name: 'temperature', request: { temperature: 0.2 }, expected: { temperature: 0.2 } },
    { name: 'top_p', request: { topP: 0.9 }, expected: { top_p: 0.9 } },
    { name: 'top_k', request: { topK: 40 }, expected: { top_k: 40 } },
    { name: 'stop sequences', request: { stopSequences: ['END', '###'] }, expected: { stop_sequences: ['END', '###'] } },
    { name: 'empty stop sequence list is not sent', request: { stopSequences: [] }, expected: {}, absent: ['stop_sequences'] },
    { name: 'user -> metadata.user_id', request: { user: 'user-42' }, expected: { metadata: { user_id: 'user-42' } } },
    {
      name: 'anthropic metadata.user_id from provider options',
      request: { providerOptions: { anthropic: { metadata: { user_id: 'u-7', other: 'dropped' } } } },
      expected: { metadata: { user_id: 'u-7' } },
    },
    {
      name: 'user wins over provider-option metadata',
      request: { user: 'u-1', providerOptions: { anthropic: { metadata: { user_id: 'u-2' } } } },
      expected: { metadata: { user_id: 'u-1' } },
    },
    { name: 'stream', request: { stream: true }, expected: { stream: true } },
    {
      name: 'seed and penalties are dropped (no Anthropic equivalent)',
      request: { seed: 7, frequencyPenalty: 0.5, presencePenalty: 0.5 },
      expected: {},
      absent: ['seed', 'frequency_penalty', 'presence_penalty'],
    },
    {
      name: 'explicit thinking budget',
      request: { reasoning: { budgetTokens: 2000 }, maxOutputTokens: 8000 },
      expected: { thinking: { type: 'enabled', budget_tokens: 2000 }, max_tokens: 8000 },
    },
    {
      name: 'thinking without a caller cap adds the budget to the default max_tokens',
      request: { reasoning: { budgetTokens: 5000 } },
      expected: { thinking: { type: 'enabled', budget_tokens: 5000 }, max_tokens: 9096 },
    },
    {
      name: 'effort low',
      request: { reasoning: { effort: 'low' } },
      expected: { thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 4096 + 2048 },
    },
    {
      name: 'effort medium',
      request: { reasoning: { effort: 'medium' } },
      expected: { thinking: { type: 'enabled', budget_tokens: 8192 } },
    },
    { name: 'effort high', request: { reasoning: { effort: 'high' } }, expected: { thinking: { type: 'enabled', budget_tokens: 24576 } } },
    {
      name: 'effort minimal means no extended thinking',
      request: { reasoning: { effort: 'minimal' } },
      expected: {},
      absent: ['thinking'],
    },
    { name: 'budget 0 means no extended thinking', request: { reasoning: { budgetTokens: 0 } }, expected: {}, absent: ['thinking'] },
    {
      name: 'effort budget is capped below the caller max tokens',
      request: { reasoning: { effort: 'high' }, maxOutputTokens: 3000 },
      expected: { thinking: { type: 'enabled', budget_tokens: 2999 }, max_tokens: 3000 },
    },
    {
      name: 'sampling parameters are dropped while thinking',
      request: { reasoning: { budgetTokens: 1024 }, temperature: 0.3, topP: 0.5, topK: 5 },
      expected: { thinking: { type: 'enabled', budget_tokens: 1024 } },
      absent: ['temperature', 'top_p', 'top_k'],
    },
  ];

  it.each(cases)('$name', ({ request, expected, absent }) => {
    const body = convert(request);
    expect(body).toMatchObject(expected);
    for (const key of absent ?? []) expect(body).not.toHaveProperty(key);
  });
});

describe('convertToAnthropicMessagesRequest: messages', () => {
  const cases: Array<{ name: string; messages: UnifiedMessage[]; system?: unknown; messagesOut: unknown }> = [
    {
      name: 'system messages are hoisted into system blocks in order, wherever they appear',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        hello,
        { role: 'system', content: [{ type: 'text', text: 'Answer in French.', cacheControl: { type: 'ephemeral' } }] },
      ],
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } },
      ],
      messagesOut: helloBlocks,
    },
    {
      name: 'consecutive same-role messages are merged',
      messages: [
        hello,
        { role: 'user', content: [{ type: 'text', text: 'Are you there?' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Yes.' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Still here.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Good.' }] },
      ],
      messagesOut: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello' },
            { type: 'text', text: 'Are you there?' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Yes.' },
            { type: 'text', text: 'Still here.' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Good.' }] },
      ],
    },
    {
      name: 'images: base64, url and data URL sources; detail is dropped; cache control kept',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'high' },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' }, cacheControl: { type: 'ephemeral', ttl: '1h' } },
            { type: 'image', source: { kind: 'url', url: 'data:image/jpeg;base64,/9j/4AAQ' } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
      messagesOut: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' }, cache_control: { type: 'ephemeral', ttl: '1h' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    },
    {
      name: 'documents: PDF base64 and url, plain text (inline and base64), title from filename',
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              mediaType: 'application/pdf',
              source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' },
              title: 'Report',
            },
            {
              type: 'document',
              mediaType: 'application/pdf',
              source: { kind: 'url', url: 'https://example.com/a.pdf' },
              filename: 'a.pdf',
            },
            {
              type: 'document',
              mediaType: 'text/plain',
              source: { kind: 'text', text: 'plain notes' },
              cacheControl: { type: 'ephemeral' },
            },
            {
              type: 'document',
              mediaType: 'text/plain',
              source: { kind: 'base64', mediaType: 'text/plain', data: Buffer.from('encoded notes').toString('base64') },
            },
          ],
        },
      ],
      messagesOut: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'Report' },
            { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' }, title: 'a.pdf' },
            {
              type: 'document',
              source: { type: 'text', media_type: 'text/plain', data: 'plain notes' },
              cache_control: { type: 'ephemeral' },
            },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'encoded notes' } },
          ],
        },
      ],
    },
    {
      name: 'assistant tool calls -> tool_use with parsed input; tool messages -> one user turn of tool_result blocks',
      messages: [
        hello,
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'tool_call', id: 'toolu_2', name: 'get_time', arguments: '' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: '18C' }] }] },
        {
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'toolu_2',
              isError: true,
              content: [
                { type: 'text', text: 'clock broken' },
                { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } },
              ],
            },
          ],
        },
      ],
      messagesOut: [
        helloBlocks[0],
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18C' }] },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [
                { type: 'text', text: 'clock broken' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
              ],
            },
          ],
        },
      ],
    },
    {
      name: 'tool results merged with a following user message come first; an empty result has no content',
      messages: [
        hello,
        { role: 'assistant', content: [{ type: 'tool_call', id: 'toolu_1', name: 'ping', arguments: '{}' }] },
        { role: 'user', content: [{ type: 'text', text: 'Also, hi.' }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [] }] },
      ],
      messagesOut: [
        helloBlocks[0],
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'ping', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1' },
            { type: 'text', text: 'Also, hi.' },
          ],
        },
      ],
    },
    {
      name: 'reasoning parts -> thinking with signature and redacted_thinking; unsigned reasoning is dropped',
      messages: [
        hello,
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Let me think.', signature: 'sig-abc' },
            { type: 'reasoning', text: '', redactedData: 'opaque-bytes' },
            { type: 'reasoning', text: 'from another provider' },
            { type: 'text', text: 'Answer.' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      ],
      messagesOut: [
        helloBlocks[0],
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Let me think.', signature: 'sig-abc' },
            { type: 'redacted_thinking', data: 'opaque-bytes' },
            { type: 'text', text: 'Answer.' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      ],
    },
    {
      name: 'empty text parts are dropped and messages left empty disappear',
      messages: [
        hello,
        { role: 'assistant', content: [{ type: 'text', text: '' }] },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
      messagesOut: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello' },
            { type: 'text', text: 'Again' },
          ],
        },
      ],
    },
    {
      name: 'a final assistant prefill loses trailing whitespace',
      messages: [hello, { role: 'assistant', content: [{ type: 'text', text: 'The answer is ' }] }],
      messagesOut: [helloBlocks[0], { role: 'assistant', content: [{ type: 'text', text: 'The answer is' }] }],
    },
  ];

  it.each(cases)('$name', ({ messages, system, messagesOut }) => {
    const body = convert({ messages });
    expect(body['messages']).toEqual(messagesOut);
    if (system === undefined) expect(body).not.toHaveProperty('system');
    else expect(body['system']).toEqual(system);
  });
});

describe('convertToAnthropicMessagesRequest: tools and tool choice', () => {
  const cases: Array<{ name: string; request: Partial<UnifiedChatRequest>; tools?: unknown; toolChoice?: unknown }> = [
    { name: 'tools -> input_schema; no choice sent by default', request: { tools: [weatherTool] }, tools: [anthropicWeatherTool] },
    {
      name: 'a tool without a schema type gets type object; strict is dropped',
      request: { tools: [{ name: 'now', parameters: {}, strict: true }] },
      tools: [{ name: 'now', input_schema: { type: 'object' } }],
    },
    { name: 'auto', request: { tools: [weatherTool], toolChoice: { type: 'auto' } }, tools: [anthropicWeatherTool] },
    { name: 'required -> any', request: { tools: [weatherTool], toolChoice: { type: 'required' } }, toolChoice: { type: 'any' } },
    { name: 'none', request: { tools: [weatherTool], toolChoice: { type: 'none' } }, toolChoice: { type: 'none' } },
    {
      name: 'a named tool',
      request: { tools: [weatherTool], toolChoice: { type: 'tool', name: 'get_weather' } },
      toolChoice: { type: 'tool', name: 'get_weather' },
    },
    {
      name: 'parallelToolCalls=false -> auto with disable_parallel_tool_use',
      request: { tools: [weatherTool], parallelToolCalls: false },
      toolChoice: { type: 'auto', disable_parallel_tool_use: true },
    },
    {
      name: 'parallelToolCalls=false with required',
      request: { tools: [weatherTool], toolChoice: { type: 'required' }, parallelToolCalls: false },
      toolChoice: { type: 'any', disable_parallel_tool_use: true },
    },
    { name: 'no tools: tool choice none is not sent', request: { toolChoice: { type: 'none' } } },
  ];

  it.each(cases)('$name', ({ request, tools, toolChoice }) => {
    const body = convert(request);
    const expectedTools = tools ?? (request.tools === undefined ? undefined : [anthropicWeatherTool]);
    if (expectedTools === undefined) expect(body).not.toHaveProperty('tools');
    else expect(body['tools']).toEqual(expectedTools);
    if (toolChoice === undefined) expect(body).not.toHaveProperty('tool_choice');
    else expect(body['tool_choice']).toEqual(toolChoice);
  });
});

describe('convertToAnthropicMessagesRequest: response_format', () => {
  const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
  const jsonTool = (description: string) => ({ name: JSON_RESPONSE_TOOL_NAME, description, input_schema: schema });
  const defaultDescription = 'Give the final answer as this tool\'s input. It must match the "answer" schema.';

  it('json_schema becomes a forced answer tool with the schema as its input schema', () => {
    const body = convert({ responseFormat: { type: 'json_schema', name: 'answer', schema } });
    expect(body['tools']).toEqual([jsonTool(defaultDescription)]);
    expect(body['tool_choice']).toEqual({ type: 'tool', name: JSON_RESPONSE_TOOL_NAME });
    expect(body).not.toHaveProperty('system');
  });

  it('the schema description becomes the tool description', () => {
    const body = convert({ responseFormat: { type: 'json_schema', name: 'answer', schema, description: 'The answer' } });
    expect(body['tools']).toEqual([jsonTool('The answer')]);
  });

  it('with caller tools, any tool may be called (the answer tool included)', () => {
    const body = convert({ tools: [weatherTool], responseFormat: { type: 'json_schema', name: 'answer', schema } });
    expect(body['tools']).toEqual([anthropicWeatherTool, jsonTool(defaultDescription)]);
    expect(body['tool_choice']).toEqual({ type: 'any' });
  });

  it('a caller forcing its own tool keeps that choice', () => {
    const body = convert({
      tools: [weatherTool],
      toolChoice: { type: 'tool', name: 'get_weather' },
      responseFormat: { type: 'json_schema', name: 'answer', schema },
    });
    expect(body['tool_choice']).toEqual({ type: 'tool', name: 'get_weather' });
  });

  it('caller tools with tool choice none: the answer tool is forced', () => {
    const body = convert({
      tools: [weatherTool],
      toolChoice: { type: 'none' },
      responseFormat: { type: 'json_schema', name: 'answer', schema },
    });
    expect(body['tool_choice']).toEqual({ type: 'tool', name: JSON_RESPONSE_TOOL_NAME });
  });

  it('with extended thinking (which forbids forced tools) the schema goes into a system instruction', () => {
    const body = convert({
      messages: [{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }, hello],
      reasoning: { budgetTokens: 2048 },
      responseFormat: { type: 'json_schema', name: 'answer', schema },
    });
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
    const system = body['system'] as Array<{ text: string }>;
    expect(system).toHaveLength(2);
    expect(system[0]).toEqual({ type: 'text', text: 'Be brief.' });
    expect(system[1]?.text).toContain('"answer"');
    expect(system[1]?.text).toContain(JSON.stringify(schema));
  });

  it('a schema whose root is not an object goes into a system instruction', () => {
    const arraySchema = { type: 'array', items: { type: 'string' } };
    const body = convert({ responseFormat: { type: 'json_schema', name: 'list', schema: arraySchema } });
    expect(body).not.toHaveProperty('tools');
    expect((body['system'] as Array<{ text: string }>)[0]?.text).toContain(JSON.stringify(arraySchema));
  });

  it('json_object becomes a system instruction', () => {
    const body = convert({ responseFormat: { type: 'json_object' } });
    expect(body).not.toHaveProperty('tools');
    expect((body['system'] as Array<{ text: string }>)[0]?.text).toMatch(/JSON object/);
  });

  it('text format changes nothing', () => {
    expect(convert({ responseFormat: { type: 'text' } })).toEqual(convert({}));
  });
});
