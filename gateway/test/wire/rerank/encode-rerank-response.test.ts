// The caller's rerank answer: the superset of fields the common clients read, each present only
// when it is known or asked for.
import { describe, expect, it } from '@jest/globals';
import type { UnifiedRerankRequest, UnifiedRerankResponse } from '../../../src/unified/rerank.js';
import { encodeRerankResponse } from '../../../src/wire/rerank/index.js';

const request: UnifiedRerankRequest = { model: 'public-rr', query: 'q', documents: ['zero', 'one', 'two'], returnDocuments: false };
const results = [
  { index: 2, relevanceScore: 0.8 },
  { index: 0, relevanceScore: 0.2 },
];

describe('encodeRerankResponse', () => {
  it.each([
    [
      'tokens, no documents',
      { id: 'up-1', model: 'up-model', results, inputTokens: 40 },
      request,
      {
        id: 'up-1',
        model: 'public-rr',
        results: [
          { index: 2, relevance_score: 0.8 },
          { index: 0, relevance_score: 0.2 },
        ],
        usage: { total_tokens: 40 },
      },
    ],
    [
      'search units, documents asked for, no upstream id',
      { id: '', model: 'up-model', results, searchUnits: 1 },
      { ...request, returnDocuments: true },
      {
        id: 'fallback-id',
        model: 'public-rr',
        results: [
          { index: 2, relevance_score: 0.8, document: { text: 'two' } },
          { index: 0, relevance_score: 0.2, document: { text: 'zero' } },
        ],
        meta: { billed_units: { search_units: 1 } },
      },
    ],
  ])('%s', (_name, response: UnifiedRerankResponse, caller, expected) => {
    expect(JSON.parse(encodeRerankResponse(response, caller, 'fallback-id'))).toEqual(expected);
  });
});
