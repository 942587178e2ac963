import { describe, expect, it } from '@jest/globals';
import {
  decodeGeminiEmbeddingsResponse,
  encodeGeminiEmbeddingsRequest,
  encodeGeminiEmbeddingsResponse,
} from '../../../src/wire/gemini/gemini-embeddings.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';

describe('encodeGeminiEmbeddingsRequest', () => {
  it.each([
    {
      name: 'one input -> embedContent',
      request: { model: 'emb', input: ['hello'] },
      expected: { method: 'embedContent', body: { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello' }] } } },
    },
    {
      name: 'several inputs -> batchEmbedContents, each naming the model; dimensions and taskType carried',
      request: { model: 'emb', input: ['a', 'b'], dimensions: 256, taskType: 'RETRIEVAL_DOCUMENT' },
      expected: {
        method: 'batchEmbedContents',
        body: {
          requests: [
            {
              model: 'models/gemini-embedding-001',
              content: { parts: [{ text: 'a' }] },
              taskType: 'RETRIEVAL_DOCUMENT',
              outputDimensionality: 256,
            },
            {
              model: 'models/gemini-embedding-001',
              content: { parts: [{ text: 'b' }] },
              taskType: 'RETRIEVAL_DOCUMENT',
              outputDimensionality: 256,
            },
          ],
        },
      },
    },
  ])('$name', ({ request, expected }) => {
    expect(encodeGeminiEmbeddingsRequest(request, 'models/gemini-embedding-001')).toEqual(expected);
  });

  it('rejects an empty input list with a 400 naming input', () => {
    expect(() => encodeGeminiEmbeddingsRequest({ model: 'emb', input: [] }, 'models/x')).toThrow(GatewayError);
  });
});

describe('decodeGeminiEmbeddingsResponse', () => {
  it.each([
    { name: 'embedContent', body: { embedding: { values: [0.1, -0.2] } }, embeddings: [[0.1, -0.2]], tokens: 0 },
    {
      name: 'batchEmbedContents',
      body: { embeddings: [{ values: [1, 0] }, { values: [0, 1] }] },
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      tokens: 0,
    },
    {
      name: 'token counts when the response has them',
      body: {
        embeddings: [
          { values: [1], statistics: { tokenCount: 3 } },
          { values: [2], statistics: { tokenCount: 4 } },
        ],
      },
      embeddings: [[1], [2]],
      tokens: 7,
    },
    { name: 'usageMetadata', body: { embedding: { values: [1] }, usageMetadata: { promptTokenCount: 5 } }, embeddings: [[1]], tokens: 5 },
  ])('$name', ({ body, embeddings, tokens }) => {
    expect(decodeGeminiEmbeddingsResponse(body, 'gemini-embedding-001')).toEqual({
      model: 'gemini-embedding-001',
      embeddings,
      usage: { inputTokens: tokens },
    });
  });

  it.each([
    ['not an object', 'x'],
    ['no embeddings', { foo: 1 }],
    ['values not numbers', { embeddings: [{ values: ['a'] }] }],
  ])('rejects a body that is %s', (_name, body) => {
    expect(() => decodeGeminiEmbeddingsResponse(body, 'm')).toThrow(UpstreamFailure);
  });
});

describe('encodeGeminiEmbeddingsResponse', () => {
  const response = {
    model: 'm',
    embeddings: [
      [1, 2],
      [3, 4],
    ],
    usage: { inputTokens: 0 },
  };
  it('batch form', () => {
    expect(encodeGeminiEmbeddingsResponse(response, 'batchEmbedContents')).toEqual({
      embeddings: [{ values: [1, 2] }, { values: [3, 4] }],
    });
  });
  it('single form', () => {
    expect(encodeGeminiEmbeddingsResponse(response, 'embedContent')).toEqual({ embedding: { values: [1, 2] } });
  });
});
