import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { IMAGE_TOKENS, PDF_PAGE_TOKENS } from '../../../src/unified/estimate-input-tokens.js';
import { geminiCountTokensCodec } from '../../../src/wire/gemini/gemini-count-tokens.js';

const context = { requestId: 'r', pathModel: 'gemini-flash' };
const text = (t: string): unknown => ({ role: 'user', parts: [{ text: t }] });

describe('Gemini front door: countTokens', () => {
  const cases: Array<[string, unknown, number]> = [
    ['text: one token per four bytes, rounded up', { contents: [text('abcdefghi')] }, 3],
    ['every content counts, rounded once', { contents: [text('abcd'), { role: 'model', parts: [{ text: 'efg' }] }, text('ijkl')] }, 3],
    [
      'an image counts the shared image charge',
      { contents: [{ role: 'user', parts: [{ text: 'abcd' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }] },
      1 + IMAGE_TOKENS,
    ],
    [
      'a file by URI counts one page',
      { contents: [{ role: 'user', parts: [{ fileData: { mimeType: 'application/pdf', fileUri: 'https://x/y.pdf' } }] }] },
      PDF_PAGE_TOKENS,
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
      // 4 + 4 bytes of text and the declaration as JSON, rounded once
      Math.ceil(
        (8 +
          JSON.stringify({ name: 'f', description: 'dd', parameters: { type: 'object', properties: { a: { type: 'string' } } } }).length) /
          4,
      ),
    ],
  ];

  it.each(cases)('%s', (_name, body, expected) => {
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
      geminiCountTokensCodec.decodeCountTokensRequest(body, context);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).param).toBe(param);
  });
});
