import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { UnsupportedFeatureError } from '../../../src/errors/unsupported-feature-error.js';
import { bareBedrockModelId, bedrockEmbeddingFamily } from '../../../src/wire/bedrock-embeddings/bedrock-embedding-model.js';
import { convertToBedrockEmbeddings } from '../../../src/wire/bedrock-embeddings/convert-to-bedrock-embeddings.js';
import type { UnifiedEmbeddingsRequest } from '../../../src/unified/chat-request.js';

const TITAN_V2 = 'amazon.titan-embed-text-v2:0';
const TITAN_V1 = 'amazon.titan-embed-text-v1';
const COHERE = 'cohere.embed-english-v3';

const request = (overrides: Partial<UnifiedEmbeddingsRequest> = {}): UnifiedEmbeddingsRequest => ({
  model: 'embed',
  input: ['hello world'],
  ...overrides,
});

describe('bedrockEmbeddingFamily', () => {
  it.each([
    [TITAN_V2, 'titan-v2'],
    [TITAN_V1, 'titan'],
    ['amazon.titan-embed-image-v1', 'titan'],
    [COHERE, 'cohere'],
    ['cohere.embed-multilingual-v3', 'cohere'],
    ['us.cohere.embed-multilingual-v3', 'cohere'],
    ['arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0', 'titan-v2'],
  ])('%s -> %s', (modelId, family) => {
    expect(bedrockEmbeddingFamily(modelId)).toBe(family);
  });

  it.each(['anthropic.claude-3-5-sonnet-20240620-v1:0', 'meta.llama3-8b-instruct-v1:0', 'amazon.nova-lite-v1:0', 'titan-embed-text-v2'])(
    'refuses %s as an unsupported feature naming the model',
    (modelId) => {
      expect(() => bedrockEmbeddingFamily(modelId)).toThrow(UnsupportedFeatureError);
      expect(() => bedrockEmbeddingFamily(modelId)).toThrow(modelId);
    },
  );

  it('strips an ARN and a geography prefix down to the model id', () => {
    expect(bareBedrockModelId('arn:aws:bedrock:eu-west-1::foundation-model/cohere.embed-english-v3')).toBe(COHERE);
    expect(bareBedrockModelId('eu.amazon.titan-embed-text-v2:0')).toBe(TITAN_V2);
  });
});

describe('convertToBedrockEmbeddings', () => {
  it.each<[string, string, Partial<UnifiedEmbeddingsRequest>, unknown]>([
    ['titan v2, plain', TITAN_V2, {}, { inputText: 'hello world', normalize: true }],
    ['titan v2, dimensions 256', TITAN_V2, { dimensions: 256 }, { inputText: 'hello world', normalize: true, dimensions: 256 }],
    [
      'titan v2, dimensions 1024, user dropped',
      TITAN_V2,
      { dimensions: 1024, user: 'u-1' },
      { inputText: 'hello world', normalize: true, dimensions: 1024 },
    ],
    ['titan v2, base64 asked of the front door', TITAN_V2, { encodingFormat: 'base64' }, { inputText: 'hello world', normalize: true }],
    ['titan v1', TITAN_V1, {}, { inputText: 'hello world' }],
    ['cohere, several inputs', COHERE, { input: ['a', 'b', 'c'] }, { texts: ['a', 'b', 'c'], input_type: 'search_document' }],
    ['cohere, query task', COHERE, { taskType: 'RETRIEVAL_QUERY' }, { texts: ['hello world'], input_type: 'search_query' }],
    ['cohere, classification task', COHERE, { taskType: 'CLASSIFICATION' }, { texts: ['hello world'], input_type: 'classification' }],
    ['cohere, clustering task', COHERE, { taskType: 'CLUSTERING' }, { texts: ['hello world'], input_type: 'clustering' }],
    [
      'cohere, 96 inputs',
      COHERE,
      { input: Array.from({ length: 96 }, (_, i) => `t${i}`) },
      { texts: Array.from({ length: 96 }, (_, i) => `t${i}`), input_type: 'search_document' },
    ],
  ])('%s', (_name, modelId, overrides, expected) => {
    expect(convertToBedrockEmbeddings(request(overrides), modelId)).toEqual(expected);
  });

  it.each<[string, string, Partial<UnifiedEmbeddingsRequest>, string]>([
    ['titan v2, two inputs', TITAN_V2, { input: ['a', 'b'] }, `2 inputs in one request for ${TITAN_V2}, which embeds one input per call`],
    [
      'titan v1, three inputs',
      TITAN_V1,
      { input: ['a', 'b', 'c'] },
      `3 inputs in one request for ${TITAN_V1}, which embeds one input per call`,
    ],
    ['titan v2, dimensions 768', TITAN_V2, { dimensions: 768 }, `dimensions 768 for ${TITAN_V2}, which takes 256, 512, 1024`],
    ['titan v1, dimensions', TITAN_V1, { dimensions: 512 }, `dimensions for ${TITAN_V1}, whose embeddings have a fixed size`],
    [
      'cohere, 97 inputs',
      COHERE,
      { input: Array.from({ length: 97 }, () => 'x') },
      `97 inputs in one request for ${COHERE}, which embeds at most 96 texts per call`,
    ],
    ['cohere, dimensions', COHERE, { dimensions: 256 }, `dimensions for ${COHERE}, whose embeddings have a fixed size`],
    ['cohere, unmapped task type', COHERE, { taskType: 'SOMETHING_NEW' }, `task type SOMETHING_NEW for ${COHERE}`],
  ])('refuses %s, naming the model and the limit', (_name, modelId, overrides, message) => {
    const attempt = () => convertToBedrockEmbeddings(request(overrides), modelId);
    expect(attempt).toThrow(UnsupportedFeatureError);
    expect(attempt).toThrow(message);
  });

  it('refuses an empty input list with a 400 naming the field', () => {
    let caught: unknown;
    try {
      convertToBedrockEmbeddings(request({ input: [] }), TITAN_V2);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).message).toContain('input');
  });
});
