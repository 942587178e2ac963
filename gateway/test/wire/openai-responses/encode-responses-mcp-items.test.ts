// Hosted tool reports -> the Responses API's mcp_list_tools and mcp_call items, whole and
// streamed; every value is checked against the official OpenAPI schemas (MCPListTools,
// MCPToolCall, the ResponseMCP*Event schemas) and the streams replayed through the OpenAI SDK.
import { describe, expect, it } from '@jest/globals';
import { encodeResponsesResponse } from '../../../src/wire/openai-responses/encode-responses-response.js';
import { encodeMcpItems } from '../../../src/wire/openai-responses/encode-responses-mcp-items.js';
import { ResponsesStreamEncoder } from '../../../src/wire/openai-responses/responses-stream-encoder.js';
import type { HostedToolCallPart, HostedToolReport } from '../../../src/unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import {
  parseResponsesSse,
  responsesSchemaErrors,
  streamSchemaErrors,
} from '../../frontdoors/openai-responses/responses-schema-validator.js';
import { replayThroughSdk, testEnvelope, USAGE } from '../../frontdoors/openai-responses/responses-test-support.js';

const LIST: HostedToolReport = {
  type: 'hosted_tool_list',
  server: 'tools',
  tools: [
    { name: 'echo', description: 'echoes', inputSchema: { type: 'object' } },
    { name: 'lookup', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
  ],
};

const call = (outcome: Pick<HostedToolCallPart, 'output' | 'error'>): HostedToolCallPart => ({
  type: 'hosted_tool_call',
  id: 'call_1',
  server: 'tools',
  name: 'echo',
  arguments: '{"text":"hi"}',
  ...outcome,
});

describe('hosted tool reports -> mcp_list_tools and mcp_call items', () => {
  const cases: Array<[string, HostedToolReport, Record<string, unknown>]> = [
    [
      'a listing',
      LIST,
      {
        type: 'mcp_list_tools',
        server_label: 'tools',
        tools: [
          { name: 'echo', description: 'echoes', input_schema: { type: 'object' }, annotations: null },
          { name: 'lookup', description: null, input_schema: { type: 'object' }, annotations: { readOnlyHint: true } },
        ],
        error: null,
      },
    ],
    [
      'a call that answered',
      call({ output: 'hi' }),
      { type: 'mcp_call', server_label: 'tools', name: 'echo', arguments: '{"text":"hi"}', output: 'hi', error: null, status: 'completed' },
    ],
    [
      'a call whose tool answered isError',
      call({ output: 'no', error: { kind: 'tool', content: [{ type: 'text', text: 'no' }] } }),
      {
        type: 'mcp_call',
        output: 'no',
        error: { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: 'no' }] },
        status: 'failed',
      },
    ],
    [
      'a call that did not run',
      call({ output: 'refused', error: { kind: 'protocol', code: -32602, message: 'refused' } }),
      { type: 'mcp_call', output: null, error: { type: 'mcp_protocol_error', code: -32602, message: 'refused' }, status: 'failed' },
    ],
  ];

  it.each(cases)('%s', (_name, report, expected) => {
    const [item] = encodeMcpItems([report]);
    expect(item).toMatchObject(expected);
    expect(item?.id).toMatch(report.type === 'hosted_tool_list' ? /^mcpl_[0-9a-f]{32}$/ : /^mcp_[0-9a-f]{32}$/);
    expect(responsesSchemaErrors(report.type === 'hosted_tool_list' ? 'MCPListTools' : 'MCPToolCall', item)).toEqual([]);
  });

  it('a whole response lists the reports before the answer, and conforms to the Response schema', () => {
    const response = encodeResponsesResponse(
      testEnvelope({ tools: [{ type: 'mcp', server_label: 'tools', allowed_tools: ['echo'], require_approval: 'never' }] }),
      {
        id: 'up',
        model: 'm',
        created: 1,
        content: [{ type: 'text', text: 'done' }],
        hosted: [LIST, call({ output: 'hi' })],
        finishReason: 'stop',
        usage: USAGE,
      },
      { includeEncryptedReasoning: false },
    );
    expect(response.output.map((item) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    expect(response.output[2]).toMatchObject({ status: 'completed' });
    expect(responsesSchemaErrors('Response', response)).toEqual([]);
  });
});

describe('hosted tool events -> the Responses stream', () => {
  const events: UnifiedStreamEvent[] = [
    { type: 'response_start', id: 'up', model: 'm', created: 1 },
    { type: 'hosted_tool_list', server: 'tools', tools: [{ name: 'echo', inputSchema: { type: 'object' } }] },
    { type: 'text_delta', text: 'Checking. ' },
    { type: 'hosted_tool_call', id: 'call_1', server: 'tools', name: 'echo', arguments: '{"text":"hi"}' },
    { type: 'hosted_tool_result', id: 'call_1', output: 'hi' },
    { type: 'hosted_tool_call', id: 'call_2', server: 'tools', name: 'echo', arguments: '{}' },
    { type: 'hosted_tool_result', id: 'call_2', output: 'bad', error: { kind: 'tool', content: [{ type: 'text', text: 'bad' }] } },
    { type: 'text_delta', text: 'Done.' },
    { type: 'finish', finishReason: 'stop' },
    { type: 'usage', usage: USAGE },
  ];

  function encode(): string {
    const encoder = new ResponsesStreamEncoder(testEnvelope(), { includeEncryptedReasoning: false });
    return events.map((event) => encoder.encode(event)).join('') + encoder.end();
  }

  it('writes the mcp events in order, each conforming to its schema', () => {
    const frames = parseResponsesSse(encode());
    expect(streamSchemaErrors(frames)).toEqual([]);
    const types = frames.map((frame) => frame.data.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.mcp_list_tools.in_progress',
      'response.mcp_list_tools.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.mcp_call_arguments.delta',
      'response.mcp_call_arguments.done',
      'response.mcp_call.in_progress',
      'response.mcp_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.mcp_call_arguments.delta',
      'response.mcp_call_arguments.done',
      'response.mcp_call.in_progress',
      'response.mcp_call.failed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const added = frames.filter((frame) => frame.data.type === 'response.output_item.added').map((frame) => frame.data.item);
    expect(added[2]).toMatchObject({ type: 'mcp_call', status: 'in_progress', arguments: '', output: null });
    const completed = frames.at(-1)?.data.response as { output: Array<Record<string, unknown>> };
    expect(completed.output.map((item) => [item.type, item.status])).toEqual([
      ['mcp_list_tools', undefined],
      ['message', 'completed'],
      ['mcp_call', 'completed'],
      ['mcp_call', 'failed'],
      ['message', 'completed'],
    ]);
  });

  it('the OpenAI SDK accumulates the same output', async () => {
    const replay = await replayThroughSdk(encode());
    expect(replay.thrown).toBeUndefined();
    expect(replay.snapshot?.output.map((item) => item.type)).toEqual(['mcp_list_tools', 'message', 'mcp_call', 'mcp_call', 'message']);
    expect(replay.snapshot?.output[2]).toMatchObject({ type: 'mcp_call', arguments: '{"text":"hi"}', output: 'hi' });
  });
});
