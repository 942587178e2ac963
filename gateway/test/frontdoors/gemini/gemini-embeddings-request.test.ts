import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { geminiBatchEmbedFrontDoor, geminiFrontDoor } from '../../../src/frontdoors/gemini/gemini-front-door.js';
import { decodeGeminiEmbeddingsRequest } from '../../../src/wire/gemini/decode-gemini-embeddings-request.js';
import type { GeminiEmbeddingsMethod } from '../../../src/wire/gemini/gemini-embeddings.js';
import type { UnifiedEmbeddingsRequest } from '../../../src/unified/chat-request.js';

const context = { requestId: 'r', pathModel: 'embedder' };
const content = (text: string): unknown => ({ parts: [{ text }] });

describe('Gemini front door: embedContent / batchEmbedContents -> unified embeddings request', () => {
  const cases: Array<[string, GeminiEmbeddingsMethod, unknown, UnifiedEmbeddingsRequest]> = [
    ['embedContent', 'embedContent', { content: content('hello') }, { model: 'embedder', input: ['hello'] }],
    [
      'embedContent with taskType and outputDimensionality',
      'embedContent',
      { model: 'models/embedder', content: content('hello'), taskType: 'RETRIEVAL_QUERY', outputDimensionality: 256, title: 'dropped' },
      { model: 'embedder', input: ['hello'], taskType: 'RETRIEVAL_QUERY', dimensions: 256 },
    ],
    [
      'several text parts are one input',
      'embedContent',
      { content: { parts: [{ text: 'a' }, { text: 'b' }] } },
      { model: 'embedder', input: ['a\nb'] },
    ],
    [
      'TASK_TYPE_UNSPECIFIED is no task type',
      'embedContent',
      { content: content('x'), taskType: 'TASK_TYPE_UNSPECIFIED' },
      { model: 'embedder', input: ['x'] },
    ],
    [
      'batchEmbedContents',
      'batchEmbedContents',
      {
        requests: [
          { model: 'models/embedder', content: content('a'), taskType: 'CLUSTERING' },
          { model: 'models/embedder', content: content('b'), taskType: 'CLUSTERING' },
        ],
      },
      { model: 'embedder', input: ['a', 'b'], taskType: 'CLUSTERING' },
    ],
    [
      'batch entries may leave out the model',
      'batchEmbedContents',
      { requests: [{ content: content('a') }] },
      { model: 'embedder', input: ['a'] },
    ],
  ];

  it.each(cases)('%s', (_name, method, body, expected) => {
    expect(decodeGeminiEmbeddingsRequest(body, context, method)).toEqual(expected);
  });

  const errors: Array<[string, GeminiEmbeddingsMethod, unknown, string]> = [
    ['embedContent without content', 'embedContent', {}, 'content'],
    [
      'an image to embed',
      'embedContent',
      { content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] } },
      'content.parts[0]',
    ],
    ['empty text', 'embedContent', { content: content('') }, 'content.parts'],
    ['an unknown taskType', 'embedContent', { content: content('x'), taskType: 'SEARCH' }, 'taskType'],
    ['outputDimensionality 0', 'embedContent', { content: content('x'), outputDimensionality: 0 }, 'outputDimensionality'],
    ['batch without requests', 'batchEmbedContents', {}, 'requests'],
    ['an empty batch', 'batchEmbedContents', { requests: [] }, 'requests'],
    [
      'an entry for another model',
      'batchEmbedContents',
      {
        requests: [
          { model: 'models/embedder', content: content('a') },
          { model: 'models/other', content: content('b') },
        ],
      },
      'requests[1].model',
    ],
    [
      'mixed task types',
      'batchEmbedContents',
      { requests: [{ content: content('a'), taskType: 'CLUSTERING' }, { content: content('b') }] },
      'requests[1].taskType',
    ],
    [
      'mixed dimensionality',
      'batchEmbedContents',
      { requests: [{ content: content('a') }, { content: content('b'), outputDimensionality: 8 }] },
      'requests[1].outputDimensionality',
    ],
    ['an entry without content', 'batchEmbedContents', { requests: [{ model: 'models/embedder' }] }, 'requests[0].content'],
  ];

  it.each(errors)('%s is a 400 naming the field', (_name, method, body, param) => {
    let caught: unknown;
    try {
      decodeGeminiEmbeddingsRequest(body, context, method);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).param).toBe(param);
    expect((caught as GatewayError).message).toContain(param);
  });
});

describe('Gemini front door: embeddings answers in the shape of the method called', () => {
  const response = {
    model: 'text-embedding-3-small',
    embeddings: [
      [0.1, 0.2],
      [0.3, 0.4],
    ],
    usage: { inputTokens: 4 },
  };

  it('embedContent answers {embedding}', () => {
    expect(JSON.parse(geminiFrontDoor.encodeEmbeddingsResponse({ ...response, embeddings: [[0.5, 0.6]] }, 'embedder', context))).toEqual({
      embedding: { values: [0.5, 0.6] },
    });
  });

  it('batchEmbedContents answers {embeddings: [...]}', () => {
    expect(JSON.parse(geminiBatchEmbedFrontDoor.encodeEmbeddingsResponse(response, 'embedder', context))).toEqual({
      embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }],
    });
  });
});
