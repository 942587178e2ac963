// Unified embeddings <-> the Vertex text embeddings `:predict` format.

import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { UnifiedEmbeddingsRequest } from '../../../src/unified/chat-request.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import {
  decodeVertexEmbeddingsResponse,
  encodeVertexEmbeddingsRequest,
  type VertexPredictEmbeddingsRequest,
} from '../../../src/wire/vertex-embeddings/vertex-embeddings.js';
import { wireFixturePath } from '../../support/repo-paths.js';

describe('encodeVertexEmbeddingsRequest', () => {
  const cases: Array<[string, UnifiedEmbeddingsRequest, VertexPredictEmbeddingsRequest]> = [
    ['one input', { model: 'm', input: ['hello'] }, { instances: [{ content: 'hello' }] }],
    ['several inputs', { model: 'm', input: ['a', 'b', 'c'] }, { instances: [{ content: 'a' }, { content: 'b' }, { content: 'c' }] }],
    [
      'dimensions',
      { model: 'm', input: ['a'], dimensions: 256 },
      { instances: [{ content: 'a' }], parameters: { outputDimensionality: 256 } },
    ],
    [
      'a Gemini task type',
      { model: 'm', input: ['q'], taskType: 'RETRIEVAL_QUERY' },
      { instances: [{ content: 'q', task_type: 'RETRIEVAL_QUERY' }] },
    ],
  ];
  it.each(cases)('%s', (_name, request, expected) => {
    expect(encodeVertexEmbeddingsRequest(request)).toEqual(expected);
  });

  it('refuses an empty input list', () => {
    expect(() => encodeVertexEmbeddingsRequest({ model: 'm', input: [] })).toThrow('input must hold at least one text');
  });
});

describe('decodeVertexEmbeddingsResponse', () => {
  it('reads the documented predictions shape; token counts are summed', () => {
    const body: unknown = JSON.parse(readFileSync(wireFixturePath('vertex-embeddings', 'vertex-predict-embeddings.json'), 'utf8'));
    const decoded = decodeVertexEmbeddingsResponse(body, 'text-embedding-005');
    expect(decoded.model).toBe('text-embedding-005');
    expect(decoded.embeddings).toHaveLength(2);
    expect(decoded.embeddings[0]).toEqual([0.0152, -0.0311, 0.0427, 0.0089, -0.0563, 0.0218, 0.0071, -0.0145]);
    expect(decoded.usage.inputTokens).toBe(2054);
  });

  it('counts zero tokens when statistics are absent', () => {
    expect(decodeVertexEmbeddingsResponse({ predictions: [{ embeddings: { values: [1, 2] } }] }, 'm').usage.inputTokens).toBe(0);
  });

  const broken: Array<[string, unknown, string]> = [
    ['not an object', 'x', 'without a predictions list'],
    ['no predictions', { embeddings: [] }, 'without a predictions list'],
    ['values missing', { predictions: [{ embeddings: {} }] }, 'prediction 0 without a list of numbers'],
    [
      'values not numbers',
      { predictions: [{ embeddings: { values: [1] } }, { embeddings: { values: ['a'] } }] },
      'prediction 1 without a list of numbers',
    ],
  ];
  it.each(broken)('%s -> UpstreamFailure', (_name, body, message) => {
    expect(() => decodeVertexEmbeddingsResponse(body, 'm')).toThrow(UpstreamFailure);
    expect(() => decodeVertexEmbeddingsResponse(body, 'm')).toThrow(message);
  });
});
