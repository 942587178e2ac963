import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { decodeBedrockEmbeddings } from '../../../src/wire/bedrock-embeddings/decode-bedrock-embeddings.js';
import { UnsupportedFeatureError } from '../../../src/errors/unsupported-feature-error.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import { wireFixturePath } from '../../support/repo-paths.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(wireFixturePath('bedrock-embeddings', name), 'utf8')) as unknown;

describe('decodeBedrockEmbeddings', () => {
  it.each<[string, string, number[][], number]>([
    [
      'titan-embed-text-v2.invoke.json',
      'amazon.titan-embed-text-v2:0',
      [[-0.0382, 0.0244, 0.0547, -0.0121, 0.0913, -0.0035, 0.0702, -0.0458]],
      7,
    ],
    ['titan-embed-text-v1.invoke.json', 'amazon.titan-embed-text-v1', [[0.4375, -0.1416, 0.289, 0.0078, -0.3671, 0.1992]], 5],
    [
      'cohere-embed-english-v3.invoke.json',
      'cohere.embed-english-v3',
      [
        [0.0213, -0.0457, 0.0338, 0.0125],
        [-0.0092, 0.0611, -0.0274, 0.0409],
        [0.0507, 0.0036, -0.0148, -0.0322],
      ],
      0,
    ],
    [
      'cohere-embed-by-type.invoke.json',
      'cohere.embed-multilingual-v3',
      [
        [0.0213, -0.0457, 0.0338, 0.0125],
        [-0.0092, 0.0611, -0.0274, 0.0409],
      ],
      0,
    ],
  ])('%s as %s', (name, modelId, embeddings, inputTokens) => {
    expect(decodeBedrockEmbeddings(fixture(name), modelId)).toEqual({ model: modelId, embeddings, usage: { inputTokens } });
  });

  it('reads Cohere usage from the X-Amzn-Bedrock-Input-Token-Count header', () => {
    const body = { id: 'e1', response_type: 'embeddings_floats', texts: ['a', 'b'], embeddings: [[0.5], [0.25]] };
    expect(decodeBedrockEmbeddings(body, 'cohere.embed-english-v3', { 'x-amzn-bedrock-input-token-count': '9' }).usage).toEqual({
      inputTokens: 9,
    });
    expect(decodeBedrockEmbeddings(body, 'cohere.embed-english-v3', { 'x-amzn-bedrock-input-token-count': 'nine' }).usage).toEqual({
      inputTokens: 0,
    });
    expect(decodeBedrockEmbeddings(body, 'cohere.embed-english-v3').usage).toEqual({ inputTokens: 0 });
  });

  it('reads Titan V2 embeddingsByType.float when the plain embedding is absent', () => {
    expect(
      decodeBedrockEmbeddings({ embeddingsByType: { float: [0.5, 0.25] }, inputTextTokenCount: 2 }, 'amazon.titan-embed-text-v2:0')
        .embeddings,
    ).toEqual([[0.5, 0.25]]);
  });

  it.each<[string, string, unknown, string]>([
    ['titan: not an object', 'amazon.titan-embed-text-v2:0', [1, 2], 'the body is not a JSON object'],
    ['titan: no embedding', 'amazon.titan-embed-text-v2:0', { inputTextTokenCount: 3 }, 'no embedding list of numbers'],
    ['titan: strings in the vector', 'amazon.titan-embed-text-v1', { embedding: ['0.1'] }, 'no embedding list of numbers'],
    ['cohere: no embeddings', 'cohere.embed-english-v3', { id: 'x' }, 'no embeddings list of floats'],
    ['cohere: a bad row', 'cohere.embed-english-v3', { embeddings: [[0.1], 'oops'] }, 'embeddings[1] is not a list of numbers'],
    [
      'cohere: only int8 by type',
      'cohere.embed-english-v3',
      { embeddings: { int8: [[1, 2]] }, response_type: 'embeddings_by_type' },
      'no embeddings list of floats',
    ],
  ])('a malformed body (%s) is a ServerError naming the model and the problem', (_name, modelId, body, problem) => {
    let caught: unknown;
    try {
      decodeBedrockEmbeddings(body, modelId);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UpstreamFailure);
    expect(caught).toMatchObject({ kind: 'ServerError' });
    expect((caught as Error).message).toContain(modelId);
    expect((caught as Error).message).toContain(problem);
  });

  it('refuses a model that is no embedding family', () => {
    expect(() => decodeBedrockEmbeddings({ embedding: [1] }, 'amazon.nova-lite-v1:0')).toThrow(UnsupportedFeatureError);
  });
});
