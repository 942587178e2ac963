import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { decodeResponsesRequest, type DecodedResponsesRequest } from '../../../src/wire/openai-responses/decode-responses-request.js';

const base = { model: 'gpt-x', input: 'hi' };

function decode(extra: Record<string, unknown>): DecodedResponsesRequest {
  return decodeResponsesRequest({ ...base, ...extra });
}

function rejection(body: unknown): { message: string; param: string | undefined; status: number } {
  try {
    decodeResponsesRequest(body);
  } catch (error) {
    if (error instanceof GatewayError) return { message: error.message, param: error.param, status: error.status };
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('responses request parameters -> unified request', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['nothing extra', {}, { model: 'gpt-x', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }],
    [
      'instructions lead as a system message',
      { instructions: 'Be brief.' },
      {
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        ],
      },
    ],
    ['stream', { stream: true }, { stream: true }],
    ['max_output_tokens', { max_output_tokens: 64 }, { maxOutputTokens: 64 }],
    ['temperature and top_p', { temperature: 0.2, top_p: 0.9 }, { temperature: 0.2, topP: 0.9 }],
    ['user', { user: 'u-1' }, { user: 'u-1' }],
    ['safety_identifier when no user', { safety_identifier: 's-1' }, { user: 's-1' }],
    ['user wins over safety_identifier', { user: 'u-1', safety_identifier: 's-1' }, { user: 'u-1' }],
    ['reasoning.effort', { reasoning: { effort: 'low' } }, { reasoning: { effort: 'low' } }],
    [
      'mcp tools name the MCP servers whose tools the gateway runs',
      {
        tools: [
          { type: 'mcp', server_label: 'tools', server_url: 'http://tools.ai/mcp', allowed_tools: ['echo'], require_approval: 'never' },
          { type: 'mcp', server_label: 'ai/docs', allowed_tools: { read_only: true }, require_approval: 'never' },
        ],
      },
      {
        hostedMcp: [
          {
            label: 'tools',
            field: 'tools[0]',
            labelField: 'server_label',
            url: 'http://tools.ai/mcp',
            urlField: 'server_url',
            allowedTools: ['echo'],
          },
          { label: 'ai/docs', field: 'tools[1]', labelField: 'server_label', readOnly: true },
        ],
      },
    ],
    ['reasoning.effort xhigh clamps to high', { reasoning: { effort: 'xhigh' } }, { reasoning: { effort: 'high' } }],
    ['parallel_tool_calls', { parallel_tool_calls: false }, { parallelToolCalls: false }],
    ['text.format json_object', { text: { format: { type: 'json_object' } } }, { responseFormat: { type: 'json_object' } }],
    [
      'text.format json_schema (name and schema beside type)',
      { text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' } } },
      { responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' } },
    ],
    [
      'function tools with name, parameters and strict',
      {
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
            strict: true,
          },
        ],
      },
      {
        tools: [
          {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
            strict: true,
          },
        ],
      },
    ],
    [
      'a function tool without parameters gets an empty object schema',
      { tools: [{ type: 'function', name: 'now' }] },
      { tools: [{ name: 'now', parameters: { type: 'object', properties: {} } }] },
    ],
    ['tool_choice required', { tool_choice: 'required' }, { toolChoice: { type: 'required' } }],
    ['tool_choice function', { tool_choice: { type: 'function', name: 'now' } }, { toolChoice: { type: 'tool', name: 'now' } }],
    [
      'tool_choice allowed_tools narrows the tools',
      {
        tools: [
          { type: 'function', name: 'a' },
          { type: 'function', name: 'b' },
        ],
        tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'b' }] },
      },
      { tools: [{ name: 'b', parameters: { type: 'object', properties: {} } }], toolChoice: { type: 'required' } },
    ],
  ];
  it.each(cases)('%s', (_name, extra, expected) => {
    expect(decode(extra).request).toMatchObject(expected);
  });

  it('leaves out what the caller did not set', () => {
    const { request } = decode({});
    for (const key of [
      'tools',
      'toolChoice',
      'responseFormat',
      'maxOutputTokens',
      'temperature',
      'topP',
      'user',
      'reasoning',
      'parallelToolCalls',
    ]) {
      expect(request).not.toHaveProperty(key);
    }
  });

  it('reasoning.effort none leaves reasoning unset but is echoed', () => {
    const decoded = decode({ reasoning: { effort: 'none', summary: 'auto' } });
    expect(decoded.request).not.toHaveProperty('reasoning');
    expect(decoded.echo.reasoning).toEqual({ effort: 'none', summary: 'auto' });
  });

  it('remembers the conversation link and storage choice', () => {
    expect(decode({})).toMatchObject({ previousResponseId: undefined, store: true, includeEncryptedReasoning: false });
    expect(decode({ previous_response_id: 'resp_1', store: false, include: ['reasoning.encrypted_content'] })).toMatchObject({
      previousResponseId: 'resp_1',
      store: false,
      includeEncryptedReasoning: true,
    });
  });

  it('echoes request members for the response object', () => {
    const { echo } = decode({
      instructions: 'I',
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
      tool_choice: { type: 'function', name: 'f' },
      metadata: { team: 'payments' },
      truncation: 'auto',
      max_output_tokens: 20,
      user: 'u',
    });
    expect(echo).toEqual({
      instructions: 'I',
      maxOutputTokens: 20,
      parallelToolCalls: true,
      previousResponseId: null,
      reasoning: null,
      store: true,
      temperature: null,
      textFormat: { type: 'text' },
      toolChoice: { type: 'function', name: 'f' },
      tools: [{ type: 'function', name: 'f', description: null, parameters: { type: 'object' }, strict: null }],
      topP: null,
      truncation: 'auto',
      user: 'u',
      safetyIdentifier: undefined,
      metadata: { team: 'payments' },
    });
  });

  it('ignores parameters that cannot change the answer a client parses', () => {
    const { request } = decode({
      service_tier: 'flex',
      prompt_cache_key: 'k',
      text: { verbosity: 'low' },
      stream_options: { include_obfuscation: false },
      max_tool_calls: 3,
      include: ['web_search_call.results'],
      some_future_field: 1,
    });
    // prompt_cache_key is kept for routing only (affinity), never sent upstream.
    expect(request).toEqual({
      model: 'gpt-x',
      stream: false,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      routingHints: { promptCacheKey: 'k' },
    });
  });
});

describe('responses request parameters the gateway refuses, naming the field', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['a body that is not an object', [], 'body', /must be an object/],
    ['no model', { input: 'x' }, 'model', /Missing required parameter: 'model'/],
    ['an empty model', { model: '', input: 'x' }, 'model', /must not be empty/],
    ['background: true', { ...base, background: true }, 'background', /background responses are not supported/],
    ['conversation', { ...base, conversation: 'conv_1' }, 'conversation', /Conversations API is not supported/],
    ['prompt templates', { ...base, prompt: { id: 'pmpt_1' } }, 'prompt', /prompt templates/],
    ['top_logprobs', { ...base, top_logprobs: 2 }, 'top_logprobs', /log probabilities/],
    ['logprobs in include', { ...base, include: ['message.output_text.logprobs'] }, 'include', /log probabilities/],
    ['web_search', { ...base, tools: [{ type: 'web_search' }] }, 'tools[0].type', /built-in tool "web_search"/],
    [
      'file_search',
      {
        ...base,
        tools: [
          { type: 'function', name: 'f' },
          { type: 'file_search', vector_store_ids: ['vs_1'] },
        ],
      },
      'tools[1].type',
      /built-in tool "file_search"/,
    ],
    [
      'code_interpreter',
      { ...base, tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] },
      'tools[0].type',
      /built-in tool "code_interpreter"/,
    ],
    ['a function tool without a name', { ...base, tools: [{ type: 'function' }] }, 'tools[0].name', /must be a string/],
    [
      'an mcp tool without require_approval (OpenAI asks for approval by default)',
      { ...base, tools: [{ type: 'mcp', server_label: 'tools' }] },
      'tools[0].require_approval',
      /approval requests are not supported by this gateway; send "never"/,
    ],
    [
      'an mcp tool that requires approval',
      { ...base, tools: [{ type: 'mcp', server_label: 'tools', require_approval: 'always' }] },
      'tools[0].require_approval',
      /approval requests are not supported/,
    ],
    [
      "an mcp tool with the caller's own token",
      { ...base, tools: [{ type: 'mcp', server_label: 'tools', require_approval: 'never', authorization: 'tok' }] },
      'tools[0].authorization',
      /own credentials/,
    ],
    [
      'an mcp tool with headers',
      { ...base, tools: [{ type: 'mcp', server_label: 'tools', require_approval: 'never', headers: { 'x-a': 'b' } }] },
      'tools[0].headers',
      /own credentials/,
    ],
    [
      'an OpenAI connector',
      { ...base, tools: [{ type: 'mcp', server_label: 'drive', connector_id: 'connector_googledrive', require_approval: 'never' }] },
      'tools[0].connector_id',
      /connectors and tunnels are not supported/,
    ],
    [
      'an mcp tool without server_label',
      { ...base, tools: [{ type: 'mcp', require_approval: 'never' }] },
      'tools[0].server_label',
      /must be a string/,
    ],
    ['a built-in tool_choice', { ...base, tool_choice: { type: 'file_search' } }, 'tool_choice.type', /"file_search" is not supported/],
    [
      'allowed_tools naming an unknown tool',
      {
        ...base,
        tools: [{ type: 'function', name: 'a' }],
        tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'b' }] },
      },
      'tool_choice.tools',
      /"b" is not one of the request's tools/,
    ],
    ['an unknown tool_choice string', { ...base, tool_choice: 'any' }, 'tool_choice', /must be one of 'auto', 'none', 'required'/],
    [
      'json_schema without a schema',
      { ...base, text: { format: { type: 'json_schema', name: 'a' } } },
      'text.format.schema',
      /must be an object/,
    ],
    ['an unknown text format', { ...base, text: { format: { type: 'xml' } } }, 'text.format.type', /must be one of/],
    ['temperature above 2', { ...base, temperature: 3 }, 'temperature', /between 0 and 2/],
    ['a fractional max_output_tokens', { ...base, max_output_tokens: 1.5 }, 'max_output_tokens', /integer/],
    ['an unknown reasoning effort', { ...base, reasoning: { effort: 'extreme' } }, 'reasoning.effort', /must be one of/],
    ['a non-string metadata value', { ...base, metadata: { n: 1 } }, 'metadata.n', /must be a string/],
    [
      'more than 16 metadata pairs',
      { ...base, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata',
      /at most 16 pairs/,
    ],
    ['an empty previous_response_id', { ...base, previous_response_id: '' }, 'previous_response_id', /must not be empty/],
    ['a non-boolean store', { ...base, store: 'yes' }, 'store', /must be a boolean/],
    ['an unknown truncation', { ...base, truncation: 'middle' }, 'truncation', /must be one of/],
  ];
  it.each(cases)('%s', (_name, body, param, message) => {
    const refused = rejection(body);
    expect(refused.status).toBe(400);
    expect(refused.param).toBe(param);
    expect(refused.message).toMatch(message);
  });
});
