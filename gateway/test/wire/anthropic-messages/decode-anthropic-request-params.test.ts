import { describe, expect, it } from '@jest/globals';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import { BASE_BODY, decode, decodeError } from './decode-support.js';

const weather = { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };
const decodedWeather = { name: 'get_weather', parameters: weather.input_schema };

describe('Anthropic front door: request parameters -> unified request', () => {
  const cases: Array<[string, Record<string, unknown>, Partial<UnifiedChatRequest>]> = [
    ['max_tokens', { max_tokens: 100 }, { maxOutputTokens: 100 }],
    ['stream true', { stream: true }, { stream: true }],
    ['stream false', { stream: false }, { stream: false }],
    ['temperature', { temperature: 0.3 }, { temperature: 0.3 }],
    ['top_p', { top_p: 0.9 }, { topP: 0.9 }],
    ['top_k', { top_k: 40 }, { topK: 40 }],
    ['stop_sequences', { stop_sequences: ['###', 'END'] }, { stopSequences: ['###', 'END'] }],
    ['empty stop_sequences mean none', { stop_sequences: [] }, {}],
    ['metadata.user_id -> user', { metadata: { user_id: 'user-42' } }, { user: 'user-42' }],
    ['metadata without user_id', { metadata: {} }, {}],
    [
      'thinking enabled -> budget',
      { max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 2048 } },
      { maxOutputTokens: 4000, reasoning: { budgetTokens: 2048 } },
    ],
    [
      'thinking display is ignored',
      { max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 1024, display: 'omitted' } },
      { maxOutputTokens: 4000, reasoning: { budgetTokens: 1024 } },
    ],
    ['thinking disabled -> budget 0 (off everywhere)', { thinking: { type: 'disabled' } }, { reasoning: { budgetTokens: 0 } }],
    ['thinking adaptive -> medium effort', { thinking: { type: 'adaptive' } }, { reasoning: { effort: 'medium' } }],
    [
      'thinking adaptive with output_config.effort',
      { thinking: { type: 'adaptive' }, output_config: { effort: 'high' } },
      { reasoning: { effort: 'high' } },
    ],
    ['output_config.effort alone', { output_config: { effort: 'low' } }, { reasoning: { effort: 'low' } }],
    ['output_config.effort max clamps to high', { output_config: { effort: 'max' } }, { reasoning: { effort: 'high' } }],
    ['output_config.effort xhigh clamps to high', { output_config: { effort: 'xhigh' } }, { reasoning: { effort: 'high' } }],
    [
      'thinking enabled with effort keeps both',
      { max_tokens: 9000, thinking: { type: 'enabled', budget_tokens: 4096 }, output_config: { effort: 'medium' } },
      { maxOutputTokens: 9000, reasoning: { budgetTokens: 4096, effort: 'medium' } },
    ],
    [
      'output_config.format json_schema -> response format',
      { output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'string' } } } } } },
      { responseFormat: { type: 'json_schema', name: 'response', schema: { type: 'object', properties: { a: { type: 'string' } } } } },
    ],
    [
      'tools',
      { tools: [{ ...weather, description: 'Weather' }] },
      { tools: [{ name: 'get_weather', description: 'Weather', parameters: weather.input_schema }] },
    ],
    [
      'tool type custom',
      { tools: [{ ...weather, type: 'custom' }] },
      { tools: [{ name: 'get_weather', parameters: weather.input_schema }] },
    ],
    [
      'tool strict',
      { tools: [{ ...weather, strict: true }] },
      { tools: [{ name: 'get_weather', parameters: weather.input_schema, strict: true }] },
    ],
    [
      'tool cache_control is carried, with its TTL',
      { tools: [{ ...weather, cache_control: { type: 'ephemeral', ttl: '1h' } }] },
      { tools: [{ name: 'get_weather', parameters: weather.input_schema, cacheControl: { type: 'ephemeral', ttl: '1h' } }] },
    ],
    ['empty tools mean none', { tools: [] }, {}],
    ['tool_choice auto', { tools: [weather], tool_choice: { type: 'auto' } }, { tools: [decodedWeather], toolChoice: { type: 'auto' } }],
    [
      'tool_choice any -> required',
      { tools: [weather], tool_choice: { type: 'any' } },
      { tools: [decodedWeather], toolChoice: { type: 'required' } },
    ],
    ['tool_choice none', { tools: [weather], tool_choice: { type: 'none' } }, { tools: [decodedWeather], toolChoice: { type: 'none' } }],
    [
      'tool_choice tool',
      { tools: [weather], tool_choice: { type: 'tool', name: 'get_weather' } },
      { tools: [decodedWeather], toolChoice: { type: 'tool', name: 'get_weather' } },
    ],
    [
      'disable_parallel_tool_use -> parallelToolCalls false',
      { tools: [weather], tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
      { tools: [decodedWeather], toolChoice: { type: 'auto' }, parallelToolCalls: false },
    ],
    [
      'disable_parallel_tool_use false -> parallelToolCalls true',
      { tools: [weather], tool_choice: { type: 'any', disable_parallel_tool_use: false } },
      { tools: [decodedWeather], toolChoice: { type: 'required' }, parallelToolCalls: true },
    ],
    [
      'null means unset',
      {
        temperature: null,
        top_p: null,
        top_k: null,
        stop_sequences: null,
        metadata: null,
        thinking: null,
        tools: null,
        tool_choice: null,
        system: null,
      },
      {},
    ],
    [
      'mcp_servers name the MCP servers whose tools the gateway runs',
      {
        mcp_servers: [
          { type: 'url', url: 'https://mcp.example.com/mcp', name: 'tools', tool_configuration: { allowed_tools: ['echo'] } },
          { type: 'url', url: '', name: 'default/other', tool_configuration: { enabled: false } },
        ],
      },
      {
        hostedMcp: [
          {
            label: 'tools',
            field: 'mcp_servers.0',
            labelField: 'name',
            url: 'https://mcp.example.com/mcp',
            urlField: 'url',
            allowedTools: ['echo'],
          },
          { label: 'default/other', field: 'mcp_servers.1', labelField: 'name', allowedTools: [] },
        ],
      },
    ],
    [
      'account and routing fields are ignored',
      {
        service_tier: 'auto',
        inference_geo: 'us',
        speed: 'fast',
        diagnostics: {},
        workspace_id: 'w',
        user_profile_id: 'p',
        mcp_servers: [],
        some_future_field: 1,
      },
      {},
    ],
  ];

  it.each(cases)('%s', (_name, extra, expected) => {
    const decoded = decode(extra);
    expect(decoded).toEqual({
      model: 'claude',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      maxOutputTokens: 256,
      stream: false,
      ...expected,
    });
  });

  it('count_tokens bodies need no max_tokens and never stream', () => {
    const { max_tokens: _dropped, ...body } = BASE_BODY;
    void _dropped;
    expect(decode({ max_tokens: undefined, stream: true, ...body }, { countTokens: true })).toEqual({
      model: 'claude',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: false,
    });
  });
});

describe('Anthropic front door: bad parameters -> 400 naming the field', () => {
  const { max_tokens: _omitted, ...withoutMaxTokens } = BASE_BODY;
  void _omitted;
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['body not an object', [], 'body', /Input should be an object/],
    ['model missing', { ...BASE_BODY, model: undefined }, 'model', /^model: Field required$/],
    ['model empty', { ...BASE_BODY, model: '' }, 'model', /at least 1 character/],
    ['model not a string', { ...BASE_BODY, model: 7 }, 'model', /valid string/],
    ['max_tokens missing', withoutMaxTokens, 'max_tokens', /^max_tokens: Field required$/],
    ['max_tokens zero', { ...BASE_BODY, max_tokens: 0 }, 'max_tokens', /greater than or equal to 1/],
    ['max_tokens fractional', { ...BASE_BODY, max_tokens: 1.5 }, 'max_tokens', /valid integer/],
    ['max_tokens a string', { ...BASE_BODY, max_tokens: '100' }, 'max_tokens', /valid integer/],
    ['messages missing', { ...BASE_BODY, messages: undefined }, 'messages', /Field required/],
    ['messages not a list', { ...BASE_BODY, messages: 'hi' }, 'messages', /valid list/],
    ['messages empty', { ...BASE_BODY, messages: [] }, 'messages', /at least 1 item/],
    ['stream not a boolean', { ...BASE_BODY, stream: 'yes' }, 'stream', /valid boolean/],
    ['temperature above 1', { ...BASE_BODY, temperature: 1.5 }, 'temperature', /less than or equal to 1/],
    ['temperature negative', { ...BASE_BODY, temperature: -0.1 }, 'temperature', /greater than or equal to 0/],
    ['top_p above 1', { ...BASE_BODY, top_p: 2 }, 'top_p', /less than or equal to 1/],
    ['top_k fractional', { ...BASE_BODY, top_k: 1.5 }, 'top_k', /valid integer/],
    ['stop_sequences not a list', { ...BASE_BODY, stop_sequences: 'END' }, 'stop_sequences', /valid list/],
    ['stop_sequences item not a string', { ...BASE_BODY, stop_sequences: ['a', 3] }, 'stop_sequences.1', /valid string/],
    ['metadata not an object', { ...BASE_BODY, metadata: 'u' }, 'metadata', /an object/],
    ['metadata.user_id not a string', { ...BASE_BODY, metadata: { user_id: 5 } }, 'metadata.user_id', /valid string/],
    [
      'thinking type unknown',
      { ...BASE_BODY, thinking: { type: 'maybe' } },
      'thinking.type',
      /'enabled', 'disabled', 'adaptive' or 'between_tools'/,
    ],
    ['thinking enabled without budget', { ...BASE_BODY, thinking: { type: 'enabled' } }, 'thinking.budget_tokens', /Field required/],
    [
      'thinking budget below 1024',
      { ...BASE_BODY, max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 500 } },
      'thinking.budget_tokens',
      /greater than or equal to 1024/,
    ],
    [
      'thinking budget not below max_tokens',
      { ...BASE_BODY, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } },
      'max_tokens',
      /must be greater than `thinking.budget_tokens`/,
    ],
    ['thinking between_tools', { ...BASE_BODY, thinking: { type: 'between_tools' } }, 'thinking.type', /between_tools.*not supported/],
    ['output_config.effort unknown', { ...BASE_BODY, output_config: { effort: 'extreme' } }, 'output_config.effort', /Input should be/],
    [
      'output_config.format of another type',
      { ...BASE_BODY, output_config: { format: { type: 'xml' } } },
      'output_config.format.type',
      /'json_schema'/,
    ],
    [
      'output_config.format without schema',
      { ...BASE_BODY, output_config: { format: { type: 'json_schema' } } },
      'output_config.format.schema',
      /Field required/,
    ],
    ['cache_control of another type', { ...BASE_BODY, cache_control: { type: 'persistent' } }, 'cache_control.type', /'ephemeral'/],
    ['cache_control ttl unknown', { ...BASE_BODY, cache_control: { type: 'ephemeral', ttl: '2h' } }, 'cache_control.ttl', /'5m' or '1h'/],
    ['container', { ...BASE_BODY, container: 'cntr_1' }, 'container', /not supported/],
    [
      'mcp_servers with an authorization token',
      { ...BASE_BODY, mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'x', authorization_token: 't' }] },
      'mcp_servers.0.authorization_token',
      /own credentials/,
    ],
    ['mcp_servers of another type', { ...BASE_BODY, mcp_servers: [{ type: 'stdio', name: 'x' }] }, 'mcp_servers.0.type', /'url'/],
    [
      'mcp_servers without name',
      { ...BASE_BODY, mcp_servers: [{ type: 'url', url: 'https://mcp.example.com' }] },
      'mcp_servers.0.name',
      /Field required/,
    ],
    ['context_management', { ...BASE_BODY, context_management: { edits: [] } }, 'context_management', /not supported/],
    ['tools not a list', { ...BASE_BODY, tools: {} }, 'tools', /valid list/],
    ['tool without name', { ...BASE_BODY, tools: [{ input_schema: { type: 'object' } }] }, 'tools.0.name', /Field required/],
    [
      'tool name with spaces',
      { ...BASE_BODY, tools: [{ name: 'get weather', input_schema: { type: 'object' } }] },
      'tools.0.name',
      /pattern/,
    ],
    ['tool without input_schema', { ...BASE_BODY, tools: [{ name: 'f' }] }, 'tools.0.input_schema', /Field required/],
    [
      'tool input_schema not an object type',
      { ...BASE_BODY, tools: [{ name: 'f', input_schema: { type: 'string' } }] },
      'tools.0.input_schema.type',
      /'object'/,
    ],
    ['tool description not a string', { ...BASE_BODY, tools: [{ ...weather, description: 3 }] }, 'tools.0.description', /valid string/],
    [
      'server tool web_search',
      { ...BASE_BODY, tools: [weather, { type: 'web_search_20250305', name: 'web_search' }] },
      'tools.1.type',
      /'web_search_20250305' is not supported/,
    ],
    [
      'built-in client tool bash',
      { ...BASE_BODY, tools: [{ type: 'bash_20250124', name: 'bash' }] },
      'tools.0.type',
      /'bash_20250124' is not supported/,
    ],
    [
      'MCP toolset',
      { ...BASE_BODY, tools: [{ type: 'mcp_toolset', mcp_server_name: 'x' }] },
      'tools.0.type',
      /'mcp_toolset' is not supported/,
    ],
    ['tool_choice not an object', { ...BASE_BODY, tools: [weather], tool_choice: 'auto' }, 'tool_choice', /an object/],
    [
      'tool_choice type unknown',
      { ...BASE_BODY, tools: [weather], tool_choice: { type: 'required' } },
      'tool_choice.type',
      /'auto', 'any', 'tool' or 'none'/,
    ],
    [
      'tool_choice tool without name',
      { ...BASE_BODY, tools: [weather], tool_choice: { type: 'tool' } },
      'tool_choice.name',
      /Field required/,
    ],
    [
      'tool_choice names a tool not offered',
      { ...BASE_BODY, tools: [weather], tool_choice: { type: 'tool', name: 'nope' } },
      'tool_choice.name',
      /'nope' is not among/,
    ],
    [
      'disable_parallel_tool_use not a boolean',
      { ...BASE_BODY, tools: [weather], tool_choice: { type: 'auto', disable_parallel_tool_use: 1 } },
      'tool_choice.disable_parallel_tool_use',
      /valid boolean/,
    ],
  ];

  it.each(cases)('%s', (_name, body, param, message) => {
    const error = decodeError(body);
    expect(error.kind).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message.startsWith(`${param}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });
});
