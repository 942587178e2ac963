import { describe, expect, it } from '@jest/globals';
import { responsesSchemaErrors } from './responses-schema-validator.js';

// The conformance checks elsewhere are only as good as the extracted schemas: prove they reject.
describe('OpenAI Responses schema fixture', () => {
  const valid = {
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    status: 'completed',
    error: null,
    incomplete_details: null,
    instructions: null,
    model: 'm',
    tools: [],
    output: [
      {
        type: 'message',
        id: 'msg_1',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'x', annotations: [], logprobs: [] }],
      },
    ],
    parallel_tool_calls: true,
    metadata: {},
    tool_choice: 'auto',
    temperature: null,
    top_p: null,
  };

  it('accepts a minimal valid response', () => {
    expect(responsesSchemaErrors('Response', valid)).toEqual([]);
  });

  const invalid: Array<[string, unknown]> = [
    ['an unknown status', { ...valid, status: 'done' }],
    ['no tool_choice', { ...valid, tool_choice: undefined }],
    [
      'output_text without logprobs',
      { ...valid, output: [{ ...valid.output[0], content: [{ type: 'output_text', text: 'x', annotations: [] }] }] },
    ],
    ['a function_call without call_id', { ...valid, output: [{ type: 'function_call', id: 'fc_1', name: 'f', arguments: '{}' }] }],
    [
      'usage without input_tokens_details',
      { ...valid, usage: { input_tokens: 1, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 2 } },
    ],
    ['an incomplete reason outside the enum', { ...valid, incomplete_details: { reason: 'length' } }],
  ];
  it.each(invalid)('rejects a response with %s', (_name, value) => {
    expect(responsesSchemaErrors('Response', JSON.parse(JSON.stringify(value)))).not.toEqual([]);
  });

  it('checks stream events by their type', () => {
    const delta = {
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'x',
      logprobs: [],
      sequence_number: 3,
    };
    expect(responsesSchemaErrors('ResponseStreamEvent', delta)).toEqual([]);
    expect(responsesSchemaErrors('ResponseStreamEvent', { ...delta, sequence_number: undefined })).not.toEqual([]);
    expect(responsesSchemaErrors('ResponseStreamEvent', { ...delta, type: 'response.output_text.delta.extra' })).not.toEqual([]);
    expect(responsesSchemaErrors('ResponseStreamEvent', { type: 'error', message: 'm', sequence_number: 1 })).not.toEqual([]);
  });
});
