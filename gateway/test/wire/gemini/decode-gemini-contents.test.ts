import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { decodeGeminiContents, decodeGeminiSystemInstruction } from '../../../src/wire/gemini/decode-gemini-contents.js';
import type { UnifiedMessage } from '../../../src/unified/chat-request.js';

function user(...parts: unknown[]): unknown {
  return { role: 'user', parts };
}
function model(...parts: unknown[]): unknown {
  return { role: 'model', parts };
}

function decodeError(contents: unknown): GatewayError {
  try {
    decodeGeminiContents(contents);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('Gemini front door: contents -> unified messages', () => {
  const cases: Array<[string, unknown[], UnifiedMessage[]]> = [
    ['a text part', [user({ text: 'hi' })], [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]],
    ['no role means user', [{ parts: [{ text: 'hi' }] }], [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]],
    [
      'the legacy function role is a user turn',
      [{ role: 'function', parts: [{ text: 'hi' }] }],
      [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    ],
    [
      'a model turn is an assistant message',
      [user({ text: 'hi' }), model({ text: 'hello' })],
      [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'hello' }] },
      ],
    ],
    [
      'inlineData image',
      [user({ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } })],
      [{ role: 'user', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } }] }],
    ],
    [
      'inlineData of another type is a document',
      [user({ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0x' } })],
      [
        {
          role: 'user',
          content: [
            { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0x' }, mediaType: 'application/pdf' },
          ],
        },
      ],
    ],
    [
      'fileData with an image type',
      [user({ fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat' } })],
      [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/cat' } }] }],
    ],
    [
      'fileData without a type takes it from the extension',
      [user({ fileData: { fileUri: 'https://example.com/paper.pdf' } })],
      [
        {
          role: 'user',
          content: [{ type: 'document', source: { kind: 'url', url: 'https://example.com/paper.pdf' }, mediaType: 'application/pdf' }],
        },
      ],
    ],
    [
      'fileData with no type to tell stays a URL (Gemini takes YouTube links so)',
      [user({ fileData: { fileUri: 'https://www.youtube.com/watch?v=abc' } })],
      [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://www.youtube.com/watch?v=abc' } }] }],
    ],
    [
      'a thought with its signature is reasoning',
      [user({ text: 'q' }), model({ text: 'thinking...', thought: true, thoughtSignature: 'sig1' }, { text: 'answer' })],
      [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'thinking...', signature: 'sig1' },
            { type: 'text', text: 'answer' },
          ],
        },
      ],
    ],
    [
      'a signature on another model part becomes signature-only reasoning just before it',
      [user({ text: 'q' }), model({ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'sig2' })],
      [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: '', signature: 'sig2' },
            { type: 'tool_call', id: 'call_1_0', name: 'f', arguments: '{"a":1}' },
          ],
        },
      ],
    ],
    [
      'a signature on a user part is ignored',
      [user({ text: 'q', thoughtSignature: 'stray' })],
      [{ role: 'user', content: [{ type: 'text', text: 'q' }] }],
    ],
    [
      'calls without ids get call_<content>_<n>; responses take them by name and order',
      [
        user({ text: 'weather in two cities' }),
        model(
          { functionCall: { name: 'weather', args: { city: 'A' } } },
          { functionCall: { name: 'weather', args: { city: 'B' } } },
          { functionCall: { name: 'time' } },
        ),
        user(
          { functionResponse: { name: 'time', response: { now: '12:00' } } },
          { functionResponse: { name: 'weather', response: { sky: 'sun' } } },
          { functionResponse: { name: 'weather', response: { sky: 'rain' } } },
        ),
      ],
      [
        { role: 'user', content: [{ type: 'text', text: 'weather in two cities' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_call', id: 'call_1_0', name: 'weather', arguments: '{"city":"A"}' },
            { type: 'tool_call', id: 'call_1_1', name: 'weather', arguments: '{"city":"B"}' },
            { type: 'tool_call', id: 'call_1_2', name: 'time', arguments: '{}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool_result', toolCallId: 'call_1_2', toolName: 'time', content: [{ type: 'text', text: '{"now":"12:00"}' }] },
            { type: 'tool_result', toolCallId: 'call_1_0', toolName: 'weather', content: [{ type: 'text', text: '{"sky":"sun"}' }] },
            { type: 'tool_result', toolCallId: 'call_1_1', toolName: 'weather', content: [{ type: 'text', text: '{"sky":"rain"}' }] },
          ],
        },
      ],
    ],
    [
      'ids the caller sent are kept and matched',
      [
        user({ text: 'q' }),
        model({ functionCall: { id: 'toolu_1', name: 'f', args: {} } }, { functionCall: { id: 'toolu_2', name: 'f', args: {} } }),
        user(
          { functionResponse: { id: 'toolu_2', name: 'f', response: { n: 2 } } },
          { functionResponse: { id: 'toolu_1', name: 'f', response: { n: 1 } } },
        ),
      ],
      [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{}' },
            { type: 'tool_call', id: 'toolu_2', name: 'f', arguments: '{}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool_result', toolCallId: 'toolu_2', toolName: 'f', content: [{ type: 'text', text: '{"n":2}' }] },
            { type: 'tool_result', toolCallId: 'toolu_1', toolName: 'f', content: [{ type: 'text', text: '{"n":1}' }] },
          ],
        },
      ],
    ],
    [
      'a response id that matches no call falls back to the call of that name',
      [
        user({ text: 'q' }),
        model({ functionCall: { name: 'f' } }),
        user({ functionResponse: { id: 'stale-id', name: 'f', response: {} } }),
      ],
      [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1_0', name: 'f', arguments: '{}' }] },
        {
          role: 'tool',
          content: [{ type: 'tool_result', toolCallId: 'call_1_0', toolName: 'f', content: [{ type: 'text', text: '{}' }] }],
        },
      ],
    ],
    [
      'a response with no call to answer keeps its own id, or gets one',
      [user({ functionResponse: { id: 'orphan', name: 'f', response: {} } }, { functionResponse: { name: 'g', response: {} } })],
      [
        {
          role: 'tool',
          content: [
            { type: 'tool_result', toolCallId: 'orphan', toolName: 'f', content: [{ type: 'text', text: '{}' }] },
            { type: 'tool_result', toolCallId: 'call_0_1', toolName: 'g', content: [{ type: 'text', text: '{}' }] },
          ],
        },
      ],
    ],
    [
      '{error: ...} alone is a failed call',
      [
        user({ text: 'q' }),
        model({ functionCall: { name: 'f' } }),
        user({ functionResponse: { name: 'f', response: { error: 'city not found' } } }),
      ],
      [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1_0', name: 'f', arguments: '{}' }] },
        {
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'call_1_0',
              toolName: 'f',
              content: [{ type: 'text', text: 'city not found' }],
              isError: true,
            },
          ],
        },
      ],
    ],
    [
      'function responses lead a user turn, its other parts follow as a user message',
      [
        user({ text: 'q' }),
        model({ functionCall: { name: 'f' } }),
        user({ text: 'also this' }, { functionResponse: { name: 'f', response: { ok: true } } }),
      ],
      [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1_0', name: 'f', arguments: '{}' }] },
        {
          role: 'tool',
          content: [{ type: 'tool_result', toolCallId: 'call_1_0', toolName: 'f', content: [{ type: 'text', text: '{"ok":true}' }] }],
        },
        { role: 'user', content: [{ type: 'text', text: 'also this' }] },
      ],
    ],
    [
      'images in a function response (multimodal function responses)',
      [
        user({ text: 'q' }),
        model({ functionCall: { name: 'snap' } }),
        user({
          functionResponse: {
            name: 'snap',
            response: { taken: true },
            parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }],
          },
        }),
      ],
      [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1_0', name: 'snap', arguments: '{}' }] },
        {
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'call_1_0',
              toolName: 'snap',
              content: [
                { type: 'text', text: '{"taken":true}' },
                { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
              ],
            },
          ],
        },
      ],
    ],
  ];

  it.each(cases)('%s', (_name, contents, expected) => {
    expect(decodeGeminiContents(contents)).toEqual(expected);
  });
});

describe('Gemini front door: invalid contents are 400s naming the field', () => {
  const cases: Array<[string, unknown, string]> = [
    ['contents missing', undefined, 'contents'],
    ['contents not a list', { parts: [] }, 'contents'],
    ['contents empty', [], 'contents'],
    ['a content that is not an object', ['hi'], 'contents[0]'],
    ['an unknown role', [{ role: 'assistant', parts: [{ text: 'x' }] }], 'contents[0].role'],
    ['parts missing', [{ role: 'user' }], 'contents[0].parts'],
    ['parts empty', [{ role: 'user', parts: [] }], 'contents[0].parts'],
    ['a part with no data', [user({})], 'contents[0].parts[0]'],
    ['a part with two kinds of data', [user({ text: 'a', inlineData: { mimeType: 'image/png', data: 'AAAA' } })], 'contents[0].parts[0]'],
    ['text that is not a string', [user({ text: 5 })], 'contents[0].parts[0].text'],
    ['executableCode', [user({ executableCode: { code: 'print(1)' } })], 'contents[0].parts[0].executableCode'],
    ['inlineData without mimeType', [user({ text: 'a' }, { inlineData: { data: 'AAAA' } })], 'contents[0].parts[1].inlineData.mimeType'],
    [
      'inlineData with empty data',
      [user({ text: 'a' }, { inlineData: { mimeType: 'image/png', data: '' } })],
      'contents[0].parts[1].inlineData.data',
    ],
    [
      'inlineData that is not base64',
      [user({ text: 'a' }, { inlineData: { mimeType: 'image/png', data: 'not base64!' } })],
      'contents[0].parts[1].inlineData.data',
    ],
    ['fileData without fileUri', [user({ fileData: { mimeType: 'image/png' } })], 'contents[0].parts[0].fileData.fileUri'],
    ['a functionCall without name', [model({ functionCall: { args: {} } })], 'contents[0].parts[0].functionCall.name'],
    [
      'functionCall args that are not an object',
      [model({ functionCall: { name: 'f', args: [1] } })],
      'contents[0].parts[0].functionCall.args',
    ],
    ['a functionCall in a user turn', [user({ functionCall: { name: 'f' } })], 'contents[0].parts[0].functionCall'],
    [
      'a functionResponse in a model turn',
      [model({ functionResponse: { name: 'f', response: {} } })],
      'contents[0].parts[0].functionResponse',
    ],
    ['a functionResponse without name', [user({ functionResponse: { response: {} } })], 'contents[0].parts[0].functionResponse.name'],
    [
      'a functionResponse whose response is not an object',
      [user({ functionResponse: { name: 'f', response: 'ok' } })],
      'contents[0].parts[0].functionResponse.response',
    ],
    [
      'a non-image file in a function response',
      [user({ functionResponse: { name: 'f', response: {}, parts: [{ inlineData: { mimeType: 'application/pdf', data: 'JVBE' } }] } })],
      'contents[0].parts[0].functionResponse.parts[0]',
    ],
    ['a thought in a user turn', [user({ text: 'hmm', thought: true })], 'contents[0].parts[0].thought'],
    [
      'a thought flag on inlineData',
      [model({ inlineData: { mimeType: 'image/png', data: 'AAAA' }, thought: true })],
      'contents[0].parts[0].thought',
    ],
    ['a thoughtSignature that is not a string', [model({ text: 'a', thoughtSignature: 7 })], 'contents[0].parts[0].thoughtSignature'],
  ];

  it.each(cases)('%s', (_name, contents, param) => {
    const error = decodeError(contents);
    expect(error.kind).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toContain(param);
  });
});

describe('Gemini front door: systemInstruction', () => {
  it('text parts become one system message', () => {
    expect(decodeGeminiSystemInstruction({ parts: [{ text: 'Be brief.' }, { text: 'Be kind.' }] })).toEqual({
      role: 'system',
      content: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Be kind.' },
      ],
    });
  });

  it('absent is no system message', () => {
    expect(decodeGeminiSystemInstruction(undefined)).toBeUndefined();
  });

  it.each([
    ['an image', { parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }, 'systemInstruction.parts[0]'],
    ['no parts list', { parts: 'Be brief.' }, 'systemInstruction.parts'],
    ['not an object', 'Be brief.', 'systemInstruction'],
  ])('%s is a 400 naming the field', (_name, value, param) => {
    let caught: unknown;
    try {
      decodeGeminiSystemInstruction(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).param).toBe(param);
  });
});
