import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { decodeResponsesInput } from '../../../src/wire/openai-responses/decode-responses-input.js';
import { encodeReasoningState } from '../../../src/wire/openai-responses/responses-reasoning-state.js';
import type { UnifiedMessage } from '../../../src/unified/chat-request.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcTl8uXr';

function decode(input: unknown, known: Array<[string, string]> = []): UnifiedMessage[] {
  return decodeResponsesInput(input, new Map(known));
}

describe('responses input -> unified messages', () => {
  const cases: Array<[string, unknown, UnifiedMessage[]]> = [
    ['a string is one user message', 'hello', [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]],
    [
      'easy messages without type, every role; developer folds into system',
      [
        { role: 'system', content: 'S' },
        { role: 'developer', content: 'D' },
        { role: 'user', content: 'U' },
        { role: 'assistant', content: 'A' },
      ],
      [
        { role: 'system', content: [{ type: 'text', text: 'S' }] },
        { role: 'system', content: [{ type: 'text', text: 'D' }] },
        { role: 'user', content: [{ type: 'text', text: 'U' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'A' }] },
      ],
    ],
    [
      'typed messages with content parts: input_text, output_text and refusal in assistant history',
      [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'q1' },
            { type: 'input_text', text: 'q2' },
          ],
        },
        {
          type: 'message',
          role: 'assistant',
          id: 'msg_1',
          status: 'completed',
          content: [
            { type: 'output_text', text: 'a1', annotations: [] },
            { type: 'refusal', refusal: 'no' },
          ],
        },
      ],
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'q1' },
            { type: 'text', text: 'q2' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'a1' },
            { type: 'text', text: 'no' },
          ],
        },
      ],
    ],
    [
      'input_image as a data URL and as an https URL, with detail',
      [
        {
          role: 'user',
          content: [
            { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'low' },
            { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'original' },
            { type: 'input_image', image_url: 'https://example.com/dog.png' },
          ],
        },
      ],
      [
        {
          role: 'user',
          content: [
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG }, detail: 'low' },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'high' },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/dog.png' } },
          ],
        },
      ],
    ],
    [
      'input_file with file_data as a data URL, and bare base64 typed by its file name',
      [
        {
          role: 'user',
          content: [
            { type: 'input_file', filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF}` },
            { type: 'input_file', filename: 'notes.txt', file_data: 'aGVsbG8=' },
          ],
        },
      ],
      [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { kind: 'base64', mediaType: 'application/pdf', data: PDF },
              mediaType: 'application/pdf',
              filename: 'report.pdf',
            },
            {
              type: 'document',
              source: { kind: 'base64', mediaType: 'text/plain', data: 'aGVsbG8=' },
              mediaType: 'text/plain',
              filename: 'notes.txt',
            },
          ],
        },
      ],
    ],
    [
      "one turn's output items join into one assistant message; tool answers name their tool",
      [
        { role: 'user', content: 'weather in Paris and Rome?' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Two cities.' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', id: 'fc_2', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '18C' },
        {
          type: 'function_call_output',
          call_id: 'call_2',
          output: [
            { type: 'input_text', text: '21C' },
            { type: 'input_image', image_url: 'https://example.com/sun.png' },
          ],
        },
      ],
      [
        { role: 'user', content: [{ type: 'text', text: 'weather in Paris and Rome?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Two cities.' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
        },
        {
          role: 'tool',
          content: [{ type: 'tool_result', toolCallId: 'call_1', toolName: 'get_weather', content: [{ type: 'text', text: '18C' }] }],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'call_2',
              toolName: 'get_weather',
              content: [
                { type: 'text', text: '21C' },
                { type: 'image', source: { kind: 'url', url: 'https://example.com/sun.png' } },
              ],
            },
          ],
        },
      ],
    ],
    [
      'a tool answer to a call from an earlier (stored) turn is named from that turn',
      [{ type: 'function_call_output', call_id: 'call_9', output: 'done' }],
      [
        {
          role: 'tool',
          content: [{ type: 'tool_result', toolCallId: 'call_9', toolName: 'deploy', content: [{ type: 'text', text: 'done' }] }],
        },
      ],
    ],
    [
      'a tool answer to an unknown call keeps no name',
      [{ type: 'function_call_output', call_id: 'call_x', output: 'done' }],
      [{ role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_x', content: [{ type: 'text', text: 'done' }] }] }],
    ],
    [
      'reasoning with full reasoning_text content prefers it over the summary',
      [
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: 'short' }],
          content: [
            { type: 'reasoning_text', text: 'long a' },
            { type: 'reasoning_text', text: 'long b' },
          ],
        },
      ],
      [{ role: 'assistant', content: [{ type: 'reasoning', text: 'long a\n\nlong b' }] }],
    ],
    [
      'an empty reasoning item carries nothing and is dropped',
      [
        { role: 'user', content: 'x' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
      ],
      [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
    ],
    [
      "reasoning with this gateway's encrypted_content restores the signed thinking",
      [
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: 'ignored' }],
          encrypted_content: encodeReasoningState({ text: 'exact thinking', signature: 'sig==' }),
        },
      ],
      [{ role: 'assistant', content: [{ type: 'reasoning', text: 'exact thinking', signature: 'sig==' }] }],
    ],
    [
      'redacted thinking round-trips through encrypted_content',
      [{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: encodeReasoningState({ text: '', redactedData: 'opaque' }) }],
      [{ role: 'assistant', content: [{ type: 'reasoning', text: '', redactedData: 'opaque' }] }],
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(decode(input, [['call_9', 'deploy']])).toEqual(expected);
  });

  it('an empty input array decodes to no messages (previous_response_id may supply them)', () => {
    expect(decode([])).toEqual([]);
  });
});

describe('responses input the gateway refuses, naming the item', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['input that is neither string nor array', 42, 'input', /must be an array/],
    ['an item without type or role', [{ content: 'x' }], 'input[0].type', /must have a 'type'/],
    ['an unknown role', [{ role: 'tool', content: 'x' }], 'input[0].role', /must be one of/],
    ['item_reference', [{ type: 'item_reference', id: 'msg_1' }], 'input[0].type', /item_reference is not supported/],
    [
      'a built-in tool call item',
      [
        { role: 'user', content: 'x' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
      ],
      'input[1].type',
      /"web_search_call" are not supported/,
    ],
    [
      'a computer_call_output item',
      [{ type: 'computer_call_output', call_id: 'c', output: {} }],
      'input[0].type',
      /"computer_call_output"/,
    ],
    [
      'input_image by file_id',
      [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1', detail: 'auto' }] }],
      'input[0].content[0].file_id',
      /file stored at OpenAI/,
    ],
    [
      'input_image with an ftp URL',
      [{ role: 'user', content: [{ type: 'input_image', image_url: 'ftp://x/y.png' }] }],
      'input[0].content[0].image_url',
      /http\(s\) URL or a base64 data URL/,
    ],
    [
      'input_image with a non-image data URL',
      [{ role: 'user', content: [{ type: 'input_image', image_url: `data:application/pdf;base64,${PDF}` }] }],
      'input[0].content[0].image_url',
      /of an image/,
    ],
    [
      'input_file by file_id',
      [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }],
      'input[0].content[0].file_id',
      /send the content inline/,
    ],
    [
      'input_file by file_url',
      [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://x/a.pdf' }] }],
      'input[0].content[0].file_url',
      /send the content inline/,
    ],
    [
      'input_file that is not base64',
      [{ role: 'user', content: [{ type: 'input_file', filename: 'a.pdf', file_data: 'not base64!' }] }],
      'input[0].content[0].file_data',
      /not valid base64/,
    ],
    [
      'an image in a system message',
      [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }],
      'input[0].content[0].type',
      /input_image may only appear in user messages/,
    ],
    [
      'output_text in a user message',
      [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }],
      'input[0].content[0].type',
      /only appear in assistant messages/,
    ],
    [
      'an image in an assistant message',
      [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }],
      'input[0].content[0].type',
      /only appear in user messages/,
    ],
    [
      'audio input',
      [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }],
      'input[0].content[0].type',
      /audio input is not supported/,
    ],
    ['an empty content array', [{ role: 'user', content: [] }], 'input[0].content', /non-empty array/],
    ['a function_call without call_id', [{ type: 'function_call', name: 'f', arguments: '{}' }], 'input[0].call_id', /must be a string/],
    ['a function_call_output without output', [{ type: 'function_call_output', call_id: 'c' }], 'input[0].output', /string or an array/],
    [
      'a file in a function_call_output',
      [{ type: 'function_call_output', call_id: 'c', output: [{ type: 'input_file', file_data: PDF }] }],
      'input[0].output[0].type',
      /files in tool output/,
    ],
    [
      "OpenAI's encrypted reasoning",
      [{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAAABo...' }],
      'input[0].encrypted_content',
      /not issued by this gateway/,
    ],
    [
      'a damaged encrypted_content of ours',
      [{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'sy1.!!!' }],
      'input[0].encrypted_content',
      /not issued by this gateway/,
    ],
    [
      'a reasoning summary part of the wrong type',
      [{ type: 'reasoning', id: 'rs_1', summary: [{ type: 'text', text: 'x' }] }],
      'input[0].summary[0].type',
      /must be 'summary_text'/,
    ],
  ];
  it.each(cases)('%s', (_name, input, param, message) => {
    let caught: unknown;
    try {
      decode(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).status).toBe(400);
    expect((caught as GatewayError).param).toBe(param);
    expect((caught as GatewayError).message).toMatch(message);
  });
});
