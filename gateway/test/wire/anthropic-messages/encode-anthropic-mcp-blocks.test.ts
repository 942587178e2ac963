// Hosted tool reports -> the MCP connector's mcp_tool_use and mcp_tool_result blocks, in whole
// answers and in Anthropic's stream format; streams are replayed through the Anthropic SDK's
// beta message accumulator, which must rebuild the same blocks.
import { describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { encodeAnthropicResponse } from '../../../src/wire/anthropic-messages/encode-anthropic-response.js';
import { createAnthropicStreamEncoder } from '../../../src/wire/anthropic-messages/anthropic-stream-encoder.js';
import type { HostedToolReport, UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';

const usage = { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 };

describe('hosted tool reports -> mcp_tool_use and mcp_tool_result blocks', () => {
  const cases: Array<[string, HostedToolReport[], unknown[]]> = [
    ['a listing has no block', [{ type: 'hosted_tool_list', server: 'tools', tools: [] }], []],
    [
      'a call that answered',
      [{ type: 'hosted_tool_call', id: 'call_1', server: 'tools', name: 'echo', arguments: '{"text":"hi"}', output: 'hi' }],
      [
        { type: 'mcp_tool_use', id: 'call_1', name: 'echo', server_name: 'tools', input: { text: 'hi' } },
        { type: 'mcp_tool_result', tool_use_id: 'call_1', is_error: false, content: [{ type: 'text', text: 'hi' }] },
      ],
    ],
    [
      'a call that failed, with arguments that are not an object',
      [
        {
          type: 'hosted_tool_call',
          id: 'call_2',
          server: 'tools',
          name: 'echo',
          arguments: '[1]',
          output: 'the arguments of tools__echo are not a JSON object',
          error: { kind: 'protocol', code: -32602, message: 'the arguments of tools__echo are not a JSON object' },
        },
      ],
      [
        { type: 'mcp_tool_use', id: 'call_2', name: 'echo', server_name: 'tools', input: { _switchyard_raw_arguments: '[1]' } },
        {
          type: 'mcp_tool_result',
          tool_use_id: 'call_2',
          is_error: true,
          content: [{ type: 'text', text: 'the arguments of tools__echo are not a JSON object' }],
        },
      ],
    ],
  ];

  it.each(cases)('%s', (_name, hosted, blocks) => {
    const response: UnifiedChatResponse = {
      id: 'msg_1',
      model: 'm',
      created: 1,
      content: [{ type: 'text', text: 'done' }],
      hosted,
      finishReason: 'stop',
      usage,
    };
    expect(encodeAnthropicResponse(response, 'assistant').content).toEqual([...blocks, { type: 'text', text: 'done' }]);
  });
});

describe('hosted tool events -> the Anthropic stream', () => {
  const events: UnifiedStreamEvent[] = [
    { type: 'response_start', id: 'msg_1', model: 'm', created: 1 },
    { type: 'hosted_tool_list', server: 'tools', tools: [] },
    { type: 'text_delta', text: 'Checking. ' },
    { type: 'hosted_tool_call', id: 'call_1', server: 'tools', name: 'echo', arguments: '{"text":"hi"}' },
    { type: 'hosted_tool_result', id: 'call_1', output: 'hi' },
    { type: 'text_delta', text: 'Done.' },
    { type: 'finish', finishReason: 'stop' },
    { type: 'usage', usage },
  ];

  it('opens one block per tool use and result, and the SDK accumulates them', async () => {
    const encoder = createAnthropicStreamEncoder('assistant');
    const sse = events.map((event) => encoder.encode(event)).join('') + encoder.end();
    const client = new Anthropic({
      apiKey: 'k',
      fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const stream = client.beta.messages.stream({ model: 'assistant', max_tokens: 1, messages: [{ role: 'user', content: 'q' }] });
    const starts: Array<[number, string]> = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_start') starts.push([event.index, event.content_block.type]);
    });
    const message = await stream.finalMessage();
    expect(starts).toEqual([
      [0, 'text'],
      [1, 'mcp_tool_use'],
      [2, 'mcp_tool_result'],
      [3, 'text'],
    ]);
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking. ' },
      { type: 'mcp_tool_use', id: 'call_1', name: 'echo', server_name: 'tools', input: { text: 'hi' } },
      { type: 'mcp_tool_result', tool_use_id: 'call_1', is_error: false, content: [{ type: 'text', text: 'hi' }] },
      { type: 'text', text: 'Done.' },
    ]);
  });
});
