import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { decodeOpenAIMessages } from '../../../src/wire/openai-chat/decode-openai-messages.js';
import type { UnifiedMessage } from '../../../src/unified/chat-request.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = Buffer.from('%PDF-1.4 test').toString('base64');

describe('OpenAI front door: messages -> unified messages', () => {
  const cases: Array<[string, unknown[], UnifiedMessage[]]> = [
    ['user string content', [{ role: 'user', content: 'hello' }], [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]],
    ['system message', [{ role: 'system', content: 'be brief' }], [{ role: 'system', content: [{ type: 'text', text: 'be brief' }] }]],
    [
      'developer folds into system',
      [{ role: 'developer', content: 'rules' }],
      [{ role: 'system', content: [{ type: 'text', text: 'rules' }] }],
    ],
    [
      'system with text parts',
      [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
      ],
      [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
      ],
    ],
    [
      'message name',
      [{ role: 'user', content: 'x', name: 'alice' }],
      [{ role: 'user', name: 'alice', content: [{ type: 'text', text: 'x' }] }],
    ],
    [
      'image by URL with detail',
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
          ],
        },
      ],
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this' },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'low' },
          ],
        },
      ],
    ],
    [
      'image as a data URL becomes base64',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }],
      [{ role: 'user', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG } }] }],
    ],
    [
      'file part with a data URL',
      [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${PDF}` } }] }],
      [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { kind: 'base64', mediaType: 'application/pdf', data: PDF },
              mediaType: 'application/pdf',
              filename: 'a.pdf',
            },
          ],
        },
      ],
    ],
    [
      'file part with bare base64 takes the type from the name',
      [{ role: 'user', content: [{ type: 'file', file: { filename: 'notes.txt', file_data: PDF } }] }],
      [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { kind: 'base64', mediaType: 'text/plain', data: PDF },
              mediaType: 'text/plain',
              filename: 'notes.txt',
            },
          ],
        },
      ],
    ],
    [
      'prompt cache breakpoint -> cache control',
      [{ role: 'user', content: [{ type: 'text', text: 'long context', prompt_cache_breakpoint: { mode: 'explicit' } }] }],
      [{ role: 'user', content: [{ type: 'text', text: 'long context', cacheControl: { type: 'ephemeral' } }] }],
    ],
    [
      'assistant tool calls and the tool answer (name resolved)',
      [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
      ],
      [
        { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        {
          role: 'tool',
          content: [{ type: 'tool_result', toolCallId: 'call_1', toolName: 'get_weather', content: [{ type: 'text', text: '18C' }] }],
        },
      ],
    ],
    [
      'parallel tool calls answered by two tool messages',
      [
        {
          role: 'assistant',
          content: 'checking',
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
            { id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: 'B' }] },
        { role: 'tool', tool_call_id: 'a', content: 'A' },
      ],
      [
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'checking' },
            { type: 'tool_call', id: 'a', name: 'f', arguments: '{}' },
            { type: 'tool_call', id: 'b', name: 'g', arguments: '{}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'b', toolName: 'g', content: [{ type: 'text', text: 'B' }] }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'a', toolName: 'f', content: [{ type: 'text', text: 'A' }] }] },
      ],
    ],
    [
      'tool answer to an unknown call keeps no name',
      [{ role: 'tool', tool_call_id: 'zzz', content: 'x' }],
      [{ role: 'tool', content: [{ type: 'tool_result', toolCallId: 'zzz', content: [{ type: 'text', text: 'x' }] }] }],
    ],
    [
      'assistant refusal parts and reasoning_content',
      [{ role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }], reasoning_content: 'thought' }],
      [
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'thought' },
            { type: 'text', text: 'no' },
          ],
        },
      ],
    ],
    [
      'assistant refusal field',
      [{ role: 'assistant', content: null, refusal: 'I cannot' }],
      [{ role: 'assistant', content: [{ type: 'text', text: 'I cannot' }] }],
    ],
  ];

  it.each(cases)('%s', (_name, messages, expected) => {
    expect(decodeOpenAIMessages(messages)).toEqual(expected);
  });
});

describe('OpenAI front door: invalid messages name the field', () => {
  const cases: Array<[string, unknown[], string]> = [
    ['message not an object', ['hi'], 'messages[0]'],
    ['unknown role', [{ role: 'robot', content: 'x' }], 'messages[0].role'],
    ['function role', [{ role: 'function', name: 'f', content: 'x' }], 'messages[0].role'],
    ['user content missing', [{ role: 'user' }], 'messages[0].content'],
    ['user content a number', [{ role: 'user', content: 5 }], 'messages[0].content'],
    ['empty parts array', [{ role: 'user', content: [] }], 'messages[0].content'],
    ['unknown part type', [{ role: 'user', content: [{ type: 'video', video: {} }] }], 'messages[0].content[0].type'],
    [
      'audio input',
      [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }],
      'messages[0].content[0].type',
    ],
    ['text part without text', [{ role: 'user', content: [{ type: 'text' }] }], 'messages[0].content[0].text'],
    [
      'image URL with a bad scheme',
      [
        { role: 'user', content: 'a' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] },
      ],
      'messages[1].content[0].image_url.url',
    ],
    [
      'data URL that is not base64 image',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:text/plain,hello' } }] }],
      'messages[0].content[0].image_url.url',
    ],
    [
      'image detail unknown',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'ultra' } }] }],
      'messages[0].content[0].image_url.detail',
    ],
    ['file by id', [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }], 'messages[0].content[0].file.file_id'],
    [
      'file without data',
      [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf' } }] }],
      'messages[0].content[0].file.file_data',
    ],
    [
      'file data not base64',
      [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'not base64 !!' } }] }],
      'messages[0].content[0].file.file_data',
    ],
    [
      'image part in a system message',
      [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] }],
      'messages[0].content[0].type',
    ],
    ['tool message without tool_call_id', [{ role: 'tool', content: 'x' }], 'messages[0].tool_call_id'],
    [
      'tool call without id',
      [{ role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }],
      'messages[0].tool_calls[0].id',
    ],
    [
      'tool call arguments not a string',
      [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }],
      'messages[0].tool_calls[0].function.arguments',
    ],
    [
      'assistant function_call',
      [{ role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }],
      'messages[0].function_call',
    ],
  ];

  it.each(cases)('%s', (_name, messages, param) => {
    let caught: unknown;
    try {
      decodeOpenAIMessages(messages);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    const error = caught as GatewayError;
    expect(error.kind).toBe('invalid_request');
    expect(error.param).toBe(param);
    expect(error.message).toContain(param);
  });
});
