import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { decodeGeminiGenerateContentRequest } from '../../../src/wire/gemini/decode-gemini-generate-content-request.js';
import type { FrontDoorContext } from '../../../src/unified/front-door-codec.js';

const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];

function context(extra: Partial<FrontDoorContext> = {}): FrontDoorContext {
  return { requestId: 'r1', pathModel: 'gemini-flash', ...extra };
}

function decodeError(body: unknown, ctx: FrontDoorContext): GatewayError {
  try {
    decodeGeminiGenerateContentRequest(body, ctx);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('Gemini front door: a whole GenerateContentRequest -> UnifiedChatRequest', () => {
  it('maps every section', () => {
    const request = decodeGeminiGenerateContentRequest(
      {
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents,
        tools: [{ functionDeclarations: [{ name: 'time' }] }],
        toolConfig: { functionCallingConfig: { mode: 'NONE' } },
        generationConfig: { maxOutputTokens: 10, temperature: 0 },
        safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }],
      },
      context(),
    );
    expect(request).toEqual({
      model: 'gemini-flash',
      stream: false,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      ],
      tools: [{ name: 'time', parameters: { type: 'object', properties: {} } }],
      toolChoice: { type: 'none' },
      maxOutputTokens: 10,
      temperature: 0,
      providerOptions: { gemini: { safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }] } },
    });
  });

  it.each([
    ['a bare name', 'gemini-flash', 'gemini-flash'],
    ['a resource name', 'models/gemini-flash', 'gemini-flash'],
    ['a name with a slash', 'team/gemini-flash', 'team/gemini-flash'],
  ])('the model comes from the path: %s', (_name, pathModel, model) => {
    expect(decodeGeminiGenerateContentRequest({ contents }, context({ pathModel })).model).toBe(model);
  });

  it('without a path model, a `model` field in the body names it', () => {
    expect(decodeGeminiGenerateContentRequest({ model: 'models/x', contents }, { requestId: 'r' }).model).toBe('x');
  });

  it.each([
    ['alt=sse', 'alt=sse'],
    ['no alt', ''],
    ['alt=json', 'alt=json'],
  ])('streaming comes from the path (%s)', (_name, query) => {
    const request = decodeGeminiGenerateContentRequest({ contents }, context({ pathStream: true, query: new URLSearchParams(query) }));
    expect(request.stream).toBe(true);
  });

  it('a non-streaming call ignores alt', () => {
    expect(decodeGeminiGenerateContentRequest({ contents }, context({ query: new URLSearchParams('alt=media') })).stream).toBe(false);
  });

  it('unknown top-level fields are ignored', () => {
    expect(decodeGeminiGenerateContentRequest({ contents, labels: { team: 'a' }, serviceTier: 'x' }, context()).messages).toHaveLength(1);
  });
});

describe('Gemini front door: invalid requests are 400s naming the field', () => {
  const cases: Array<[string, unknown, FrontDoorContext, string]> = [
    ['a body that is not an object', [contents], context(), 'body'],
    ['no model anywhere', { contents }, { requestId: 'r' }, 'model'],
    [
      'a streaming call with an unsupported alt',
      { contents },
      context({ pathStream: true, query: new URLSearchParams('alt=proto') }),
      'alt',
    ],
    ['cachedContent naming no cache', { contents, cachedContent: 'abc' }, context(), 'cachedContent'],
    ['cachedContent not a string', { contents, cachedContent: 7 }, context(), 'cachedContent'],
    ['safetySettings not a list', { contents, safetySettings: { category: 'x' } }, context(), 'safetySettings'],
    [
      'a safety setting without threshold',
      { contents, safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT' }] },
      context(),
      'safetySettings[0].threshold',
    ],
    [
      'a bad part deep inside',
      { contents: [{ role: 'user', parts: [{ text: 'a' }, { inlineData: { mimeType: 'image/png', data: '' } }] }] },
      context(),
      'contents[0].parts[1].inlineData.data',
    ],
    ['candidateCount 2', { contents, generationConfig: { candidateCount: 2 } }, context(), 'generationConfig.candidateCount'],
  ];

  it.each(cases)('%s', (_name, body, ctx, param) => {
    const error = decodeError(body, ctx);
    expect(error.kind).toBe('invalid_request');
    expect(error.param).toBe(param);
    expect(error.message).toContain(param);
  });
});
