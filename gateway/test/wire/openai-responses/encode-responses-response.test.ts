import { describe, expect, it } from '@jest/globals';
import { encodeResponsesResponse } from '../../../src/wire/openai-responses/encode-responses-response.js';
import { decodeReasoningState } from '../../../src/wire/openai-responses/responses-reasoning-state.js';
import type { FinishReason, OutputPart, UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { responsesSchemaErrors } from '../../frontdoors/openai-responses/responses-schema-validator.js';
import { RESPONSES_USAGE, testEnvelope, USAGE } from '../../frontdoors/openai-responses/responses-test-support.js';

function unified(content: OutputPart[], finishReason: FinishReason = 'stop'): UnifiedChatResponse {
  return { id: 'upstream-1', model: 'provider-model-id', created: 1, content, finishReason, usage: USAGE };
}

/** Output items without their random ids, which the tests below check separately. */
function withoutIds(items: unknown[]): unknown[] {
  return items.map((item) => {
    const { id: _id, ...rest } = item as Record<string, unknown>;
    return rest;
  });
}

const outputText = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });

describe('unified response -> Responses `response` object', () => {
  const cases: Array<[string, UnifiedChatResponse, { status: string; incomplete_details: unknown; error: unknown; output: unknown[] }]> = [
    [
      'text',
      unified([{ type: 'text', text: 'Hello' }]),
      {
        status: 'completed',
        incomplete_details: null,
        error: null,
        output: [{ type: 'message', role: 'assistant', status: 'completed', content: [outputText('Hello')] }],
      },
    ],
    [
      'adjacent text parts share one message',
      unified([
        { type: 'text', text: 'Hel' },
        { type: 'text', text: 'lo' },
      ]),
      {
        status: 'completed',
        incomplete_details: null,
        error: null,
        output: [{ type: 'message', role: 'assistant', status: 'completed', content: [outputText('Hello')] }],
      },
    ],
    [
      'reasoning, text and parallel tool calls, in order',
      unified(
        [
          { type: 'reasoning', text: 'Need weather.' },
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'toolu_2', name: 'get_time', arguments: '{}' },
        ],
        'tool_calls',
      ),
      {
        status: 'completed',
        incomplete_details: null,
        error: null,
        output: [
          { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Need weather.' }], status: 'completed' },
          { type: 'message', role: 'assistant', status: 'completed', content: [outputText('Let me check.')] },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
          { type: 'function_call', call_id: 'toolu_2', name: 'get_time', arguments: '{}', status: 'completed' },
        ],
      },
    ],
    [
      'max tokens reached: incomplete, items incomplete',
      unified([{ type: 'text', text: 'Once upon' }], 'length'),
      {
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        error: null,
        output: [{ type: 'message', role: 'assistant', status: 'incomplete', content: [outputText('Once upon')] }],
      },
    ],
    [
      'max tokens after earlier items: only the last item is incomplete',
      unified(
        [
          { type: 'text', text: 'Calling.' },
          { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{"a":' },
        ],
        'length',
      ),
      {
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        error: null,
        output: [
          { type: 'message', role: 'assistant', status: 'completed', content: [outputText('Calling.')] },
          { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":', status: 'incomplete' },
        ],
      },
    ],
    [
      'content filter: incomplete',
      unified([], 'content_filter'),
      { status: 'incomplete', incomplete_details: { reason: 'content_filter' }, error: null, output: [] },
    ],
    [
      'a refusal with words: a refusal part',
      unified([{ type: 'text', text: 'I cannot help with that.' }], 'refusal'),
      {
        status: 'completed',
        incomplete_details: null,
        error: null,
        output: [
          { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] },
        ],
      },
    ],
    [
      'a refusal without words still says so',
      unified([], 'refusal'),
      {
        status: 'completed',
        incomplete_details: null,
        error: null,
        output: [
          {
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'refusal', refusal: 'The model declined to respond.' }],
          },
        ],
      },
    ],
    [
      'an upstream that stopped on an error: failed',
      unified([{ type: 'text', text: 'partial' }], 'error'),
      {
        status: 'failed',
        incomplete_details: null,
        error: { code: 'server_error', message: 'The upstream model stopped with an error.' },
        output: [{ type: 'message', role: 'assistant', status: 'incomplete', content: [outputText('partial')] }],
      },
    ],
  ];

  it.each(cases)('%s', (_name, response, expected) => {
    const encoded = encodeResponsesResponse(testEnvelope(), response, { includeEncryptedReasoning: false });
    expect(responsesSchemaErrors('Response', encoded)).toEqual([]);
    expect({
      status: encoded.status,
      incomplete_details: encoded.incomplete_details,
      error: encoded.error,
      output: withoutIds(encoded.output),
    }).toEqual(expected);
    expect(encoded.usage).toEqual(RESPONSES_USAGE);
    expect(encoded.completed_at === null).toBe(encoded.status !== 'completed');
  });

  it('keeps the envelope: id, public model name, echoed request members', () => {
    const envelope = testEnvelope({
      instructions: 'Be brief.',
      metadata: { team: 'a' },
      temperature: 0.5,
      user: 'u-1',
      previous_response_id: 'resp_prev',
    });
    const encoded = encodeResponsesResponse(envelope, unified([{ type: 'text', text: 'x' }]), { includeEncryptedReasoning: false });
    expect(encoded).toMatchObject({
      id: 'resp_test',
      object: 'response',
      created_at: 1_700_000_000,
      model: 'public-model',
      instructions: 'Be brief.',
      metadata: { team: 'a' },
      temperature: 0.5,
      user: 'u-1',
      previous_response_id: 'resp_prev',
    });
    expect(Object.keys(encoded).slice(0, 4)).toEqual(['id', 'object', 'created_at', 'status']);
  });

  it('gives every item its own prefixed id', () => {
    const encoded = encodeResponsesResponse(
      testEnvelope(),
      unified(
        [
          { type: 'reasoning', text: 'r' },
          { type: 'text', text: 't' },
          { type: 'tool_call', id: 'c', name: 'f', arguments: '{}' },
        ],
        'tool_calls',
      ),
      { includeEncryptedReasoning: false },
    );
    const ids = encoded.output.map((item) => item.id);
    expect(ids[0]).toMatch(/^rs_[0-9a-f]{32}$/);
    expect(ids[1]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(ids[2]).toMatch(/^fc_[0-9a-f]{32}$/);
  });

  it('reasoning carries encrypted_content only when asked, and only ours', () => {
    const content: OutputPart[] = [
      { type: 'reasoning', text: 'signed thought', signature: 'sig==' },
      { type: 'reasoning', text: '', redactedData: 'opaque' },
      { type: 'reasoning', text: 'unsigned thought' },
      { type: 'text', text: 'answer' },
    ];
    const plain = encodeResponsesResponse(testEnvelope(), unified(content), { includeEncryptedReasoning: false });
    expect(plain.output.filter((item) => item.type === 'reasoning').every((item) => !('encrypted_content' in item))).toBe(true);

    const asked = encodeResponsesResponse(testEnvelope(), unified(content), { includeEncryptedReasoning: true });
    expect(responsesSchemaErrors('Response', asked)).toEqual([]);
    const [signed, redacted, unsigned] = asked.output;
    expect(signed?.type === 'reasoning' && decodeReasoningState(signed.encrypted_content ?? '')).toEqual({
      text: 'signed thought',
      signature: 'sig==',
    });
    expect(redacted?.type === 'reasoning' && redacted.summary).toEqual([]);
    expect(redacted?.type === 'reasoning' && decodeReasoningState(redacted.encrypted_content ?? '')).toEqual({
      text: '',
      redactedData: 'opaque',
    });
    expect(unsigned?.type === 'reasoning' && unsigned.encrypted_content).toBeNull();
  });

  it('maps usage one-to-one, total included', () => {
    const response = {
      ...unified([{ type: 'text', text: 'x' }]),
      usage: { inputTokens: 100, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0 },
    };
    expect(encodeResponsesResponse(testEnvelope(), response, { includeEncryptedReasoning: false }).usage).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 1,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 101,
    });
  });
});
