// The caller's rerank body -> UnifiedRerankRequest: both document forms, the optional fields,
// and a 400 naming the field for every kind of bad input.
import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { decodeRerankRequest, MAX_RERANK_DOCUMENTS } from '../../../src/wire/rerank/index.js';

describe('decodeRerankRequest', () => {
  it.each([
    [
      'strings, nothing optional',
      { model: 'rr', query: 'q', documents: ['a', 'b'] },
      { model: 'rr', query: 'q', documents: ['a', 'b'], returnDocuments: false },
    ],
    [
      '{text} objects and every option',
      { model: 'rr', query: 'q', documents: [{ text: 'a' }, 'b'], top_n: 1, return_documents: true, max_tokens_per_doc: 64 },
      { model: 'rr', query: 'q', documents: ['a', 'b'], topN: 1, returnDocuments: true, maxTokensPerDoc: 64 },
    ],
    [
      'null options are unset',
      { model: 'rr', query: 'q', documents: ['a'], top_n: null, return_documents: null, max_tokens_per_doc: null },
      { model: 'rr', query: 'q', documents: ['a'], returnDocuments: false },
    ],
  ])('decodes %s', (_name, body, expected) => {
    expect(decodeRerankRequest(body)).toEqual(expected);
  });

  const tooMany = Array.from({ length: MAX_RERANK_DOCUMENTS + 1 }, (_, i) => `d${i}`);
  it.each([
    ['no model', { query: 'q', documents: ['a'] }, 'model', "Missing required parameter: 'model'"],
    ['no query', { model: 'rr', documents: ['a'] }, 'query', "Missing required parameter: 'query'"],
    ['an empty query', { model: 'rr', query: '', documents: ['a'] }, 'query', "'query' must not be empty"],
    ['a query that is not text', { model: 'rr', query: 3, documents: ['a'] }, 'query', "'query' must be a string"],
    ['no documents', { model: 'rr', query: 'q' }, 'documents', "Missing required parameter: 'documents'"],
    ['documents not an array', { model: 'rr', query: 'q', documents: 'a' }, 'documents', "'documents' must be an array"],
    ['no document', { model: 'rr', query: 'q', documents: [] }, 'documents', "'documents' must not be empty"],
    ['too many documents', { model: 'rr', query: 'q', documents: tooMany }, 'documents', `at most ${MAX_RERANK_DOCUMENTS}`],
    ['a document of another type', { model: 'rr', query: 'q', documents: ['a', 7] }, 'documents[1]', "'documents[1]' must be a string"],
    [
      'a {text} that is not text',
      { model: 'rr', query: 'q', documents: [{ text: 1 }] },
      'documents[0].text',
      "'documents[0].text' must be a string",
    ],
    ['top_n zero', { model: 'rr', query: 'q', documents: ['a'], top_n: 0 }, 'top_n', "'top_n' must be at least 1"],
    ['top_n fractional', { model: 'rr', query: 'q', documents: ['a'], top_n: 1.5 }, 'top_n', "'top_n' must be an integer"],
    ['return_documents not boolean', { model: 'rr', query: 'q', documents: ['a'], return_documents: 'yes' }, 'return_documents', 'boolean'],
    [
      'max_tokens_per_doc negative',
      { model: 'rr', query: 'q', documents: ['a'], max_tokens_per_doc: -1 },
      'max_tokens_per_doc',
      'at least 1',
    ],
  ])('refuses %s with a 400 naming the field', (_name, body, param, message) => {
    let error: unknown;
    try {
      decodeRerankRequest(body);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).param).toBe(param);
    expect((error as GatewayError).message).toContain(message);
  });
});
