// The two upstream rerank dialects, both directions: the body each is sent, and each one's
// answers (fixtures from each server's documented examples) decoded to the unified answer, ordered
// best first and cut to top_n.
import { describe, expect, it } from '@jest/globals';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedRerankRequest } from '../../../src/unified/rerank.js';
import {
  bedrockRerankModelArn,
  convertToBedrockRerankRequest,
  decodeBedrockRerankResponse,
  convertToCohereRerankRequest,
  convertToJinaRerankRequest,
  decodeCohereRerankResponse,
  decodeJinaRerankResponse,
} from '../../../src/wire/rerank/index.js';
import { readRerankFixture } from './rerank-fixtures.js';

const request = (documents: number, extra: Partial<UnifiedRerankRequest> = {}): UnifiedRerankRequest => ({
  model: 'rr',
  query: 'capital of France',
  documents: Array.from({ length: documents }, (_, i) => `doc ${i}`),
  returnDocuments: false,
  ...extra,
});

describe('upstream rerank requests', () => {
  it.each([
    ['Cohere, all options', convertToCohereRerankRequest, { topN: 2, maxTokensPerDoc: 32 }, { top_n: 2, max_tokens_per_doc: 32 }],
    ['Cohere, none', convertToCohereRerankRequest, {}, {}],
    // Jina-style servers are never asked for documents back, and have no max_tokens_per_doc.
    [
      'Jina-style, all options',
      convertToJinaRerankRequest,
      { topN: 2, maxTokensPerDoc: 32, returnDocuments: true },
      { top_n: 2, return_documents: false },
    ],
    ['Jina-style, none', convertToJinaRerankRequest, {}, { return_documents: false }],
  ])('%s', (_name, convert, options, expected) => {
    expect(convert(request(2, options), 'upstream-model')).toEqual({
      model: 'upstream-model',
      query: 'capital of France',
      documents: ['doc 0', 'doc 1'],
      ...expected,
    });
  });
});

interface Expected {
  id?: string;
  /** The model the answer names: the upstream's, else the backend's. */
  model?: string;
  indexes: number[];
  inputTokens?: number;
  searchUnits?: number;
}

describe('Bedrock Rerank requests', () => {
  it.each([
    ['a foundation model id', 'amazon.rerank-v1:0', 'arn:aws:bedrock:eu-central-1::foundation-model/amazon.rerank-v1:0'],
    ['an ARN, kept', 'arn:aws:bedrock:eu-central-1:123:provisioned-model/x', 'arn:aws:bedrock:eu-central-1:123:provisioned-model/x'],
  ])('names %s by its ARN', (_name, model, arn) => {
    expect(bedrockRerankModelArn(model, 'eu-central-1')).toBe(arn);
  });

  it.each([
    ['top_n', { topN: 1 }, 1],
    ['no top_n: every document', {}, 2],
    ['top_n past the documents: every document', { topN: 5 }, 2],
  ])('numberOfResults with %s', (_name, options, count) => {
    expect(convertToBedrockRerankRequest(request(2, options), 'arn:m')).toEqual({
      queries: [{ type: 'TEXT', textQuery: { text: 'capital of France' } }],
      sources: [
        { type: 'INLINE', inlineDocumentSource: { type: 'TEXT', textDocument: { text: 'doc 0' } } },
        { type: 'INLINE', inlineDocumentSource: { type: 'TEXT', textDocument: { text: 'doc 1' } } },
      ],
      rerankingConfiguration: {
        type: 'BEDROCK_RERANKING_MODEL',
        bedrockRerankingConfiguration: { numberOfResults: count, modelConfiguration: { modelArn: 'arn:m' } },
      },
    });
  });
});

describe('upstream rerank answers', () => {
  it.each<[string, typeof decodeJinaRerankResponse, string, UnifiedRerankRequest, Expected]>([
    [
      'Cohere v2 (search units, no tokens)',
      decodeCohereRerankResponse,
      'cohere-v2-rerank',
      request(5),
      { id: '07734bd2-2473-4f07-94e1-0d9f0e6843cf', model: 'upstream-model', indexes: [3, 4, 0], searchUnits: 1 },
    ],
    [
      'Cohere v2 cut to top_n',
      decodeCohereRerankResponse,
      'cohere-v2-rerank',
      request(5, { topN: 2 }),
      { indexes: [3, 4], searchUnits: 1 },
    ],
    [
      'vLLM (usage.total_tokens)',
      decodeJinaRerankResponse,
      'vllm-rerank',
      request(2),
      { model: 'BAAI/bge-reranker-base', indexes: [1, 0], inputTokens: 56 },
    ],
    ['Together (usage.prompt_tokens)', decodeJinaRerankResponse, 'together-rerank', request(3), { indexes: [0, 2], inputTokens: 1837 }],
    [
      'Bedrock (camelCase scores, no usage)',
      decodeBedrockRerankResponse,
      'bedrock-rerank',
      request(3),
      { model: 'upstream-model', indexes: [2, 0] },
    ],
    ['Jina (usage.total_tokens)', decodeJinaRerankResponse, 'jina-rerank', request(2, { topN: 1 }), { indexes: [0], inputTokens: 815 }],
  ])('%s', (_name, decode, fixture, caller, expected) => {
    const answer = decode(readRerankFixture(fixture), caller, 'openai-compatible', 'upstream-model');
    expect(answer.results.map((r) => r.index)).toEqual(expected.indexes);
    const scores = answer.results.map((r) => r.relevanceScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(answer.inputTokens).toBe(expected.inputTokens);
    expect(answer.searchUnits).toBe(expected.searchUnits);
    if (expected.id !== undefined) expect(answer.id).toBe(expected.id);
    if (expected.model !== undefined) expect(answer.model).toBe(expected.model);
  });

  it('orders an unordered answer best first', () => {
    const body = {
      results: [
        { index: 0, relevance_score: 0.1 },
        { index: 1, relevance_score: 0.9 },
      ],
    };
    expect(decodeJinaRerankResponse(body, request(2), 'vllm', 'm').results).toEqual([
      { index: 1, relevanceScore: 0.9 },
      { index: 0, relevanceScore: 0.1 },
    ]);
  });

  it.each([
    ['no results', {}, 'no results array'],
    ['an index past the documents', { results: [{ index: 2, relevance_score: 0.5 }] }, 'results[0].index is not a document index'],
    ['a negative index', { results: [{ index: -1, relevance_score: 0.5 }] }, 'results[0].index'],
    ['no score', { results: [{ index: 0 }] }, 'results[0] has no numeric relevance_score'],
    ['not an object', [], 'not a JSON object'],
  ])('refuses an answer with %s as a server error naming the provider', (_name, body, message) => {
    for (const decode of [decodeCohereRerankResponse, decodeJinaRerankResponse]) {
      // (Bedrock's decoder reads `relevanceScore`; its own case is below.)
      let error: unknown;
      try {
        decode(body, request(2), 'vllm', 'm');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UpstreamFailure);
      expect((error as UpstreamFailure).kind).toBe('ServerError');
      expect((error as UpstreamFailure).message).toContain('vllm returned a malformed rerank response');
      expect((error as UpstreamFailure).message).toContain(message);
    }
  });

  it('refuses a Bedrock answer whose result points past the documents', () => {
    expect(() => decodeBedrockRerankResponse({ results: [{ index: 5, relevanceScore: 0.5 }] }, request(2), 'bedrock', 'm')).toThrow(
      'bedrock returned a malformed rerank response: results[0].index is not a document index',
    );
  });
});
