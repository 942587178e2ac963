import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import {
  decodeGeminiCountTokensRequest,
  estimateGeminiPromptTokens,
  geminiCountTokensCodec,
} from '../../../src/wire/gemini/gemini-count-tokens.js';

const context = { requestId: 'r', pathModel: 'gemini-flash' };
const text = (t: string): unknown => ({ role: 'user', parts: [{ text: t }] });

describe('Gemini front door: countTokens', () => {
  const cases: Array<[string, unknown, number]> = [
    ['text: one token per four characters, rounded up', { contents: [text('abcdefghi')] }, 3],
    ['every content counts', { contents: [text('abcd'), { role: 'model', parts: [{ text: 'efgh' }] }, text('ijkl')] }, 3],
    [
      'an image counts 258',
      { contents: [{ role: 'user', parts: [{ text: 'abcd' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }] },
      1 + 258,
    ],
    [
      'a file by URI counts 258',
      { contents: [{ role: 'user', parts: [{ fileData: { mimeType: 'application/pdf', fileUri: 'https://x/y.pdf' } }] }] },
      258,
    ],
    [
      'function calls and responses count their names and JSON',
      {
        contents: [
          text('q'),
          { role: 'model', parts: [{ functionCall: { name: 'ab', args: { c: 1 } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'ab', response: { ok: 1 } } }] },
        ],
      },
      // "q" 1 + "ab" 2 + '{"c":1}' 7 + '{"ok":1}' 8 = 18 -> 5
      5,
    ],
    [
      'generateContentRequest counts system instruction and tool declarations too',
      {
        generateContentRequest: {
          model: 'models/gemini-flash',
          systemInstruction: { parts: [{ text: 'abcd' }] },
          contents: [text('efgh')],
          tools: [
            {
              functionDeclarations: [
                { name: 'f', description: 'dd', parameters: { type: 'OBJECT', properties: { a: { type: 'STRING' } } } },
              ],
            },
          ],
        },
      },
      // 4 + 4 + "f" 1 + "dd" 2 + '{"type":"object","properties":{"a":{"type":"string"}}}' 54 = 65 -> 17
      17,
    ],
  ];

  it.each(cases)('%s', (_name, body, expected) => {
    expect(estimateGeminiPromptTokens(decodeGeminiCountTokensRequest(body, context))).toBe(expected);
    const codec = geminiCountTokensCodec;
    const decoded = codec.decodeCountTokensRequest(body, context);
    expect(JSON.parse(codec.encodeCountTokensResponse(codec.estimateInputTokens(decoded), context))).toEqual({ totalTokens: expected });
  });

  it('the decoded request names the path model, for authorization', () => {
    expect(
      geminiCountTokensCodec.decodeCountTokensRequest({ contents: [text('x')] }, { requestId: 'r', pathModel: 'models/gemini-flash' })
        .model,
    ).toBe('gemini-flash');
  });

  const errors: Array<[string, unknown, string]> = [
    [
      'both contents and generateContentRequest',
      { contents: [text('a')], generateContentRequest: { contents: [text('a')] } },
      'generateContentRequest',
    ],
    ['neither', {}, 'contents'],
    [
      'a bad part inside generateContentRequest',
      { generateContentRequest: { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png' } }] }] } },
      'generateContentRequest.contents[0].parts[0].inlineData.data',
    ],
    [
      'cachedContent inside generateContentRequest',
      { generateContentRequest: { contents: [text('a')], cachedContent: 'cachedContents/x' } },
      'generateContentRequest.cachedContent',
    ],
  ];

  it.each(errors)('%s is a 400 naming the field', (_name, body, param) => {
    let caught: unknown;
    try {
      decodeGeminiCountTokensRequest(body, context);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).param).toBe(param);
  });
});
