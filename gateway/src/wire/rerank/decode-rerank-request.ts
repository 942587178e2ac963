// The caller's POST /v1/rerank (and /v2/rerank) body -> UnifiedRerankRequest. Accepts the fields
// the common rerank APIs share: `documents` as strings (Cohere v2, Jina, vLLM) or as `{text}`
// objects (Cohere v1, Together's text-only form), `top_n`, `return_documents` and Cohere's
// `max_tokens_per_doc`. Every problem is a 400 naming the field.

import { isRecord } from '@switchyard/compiler';
import { invalidRequest } from '../../errors/gateway-error.js';
import type { UnifiedRerankRequest } from '../../unified/rerank.js';
import { optionalBoolean, optionalNumber, requireNonEmptyString, requireRecord, requireString } from '../request-fields/index.js';

/**
 * Most documents one request may rank: Cohere's documented maximum, and what keeps one request's
 * upstream work (every document is scored against the query) within reason. The texts' total
 * size is bounded by the body limit (--max-body-bytes).
 */
export const MAX_RERANK_DOCUMENTS = 1000;

export function decodeRerankRequest(body: unknown): UnifiedRerankRequest {
  const b = requireRecord(body, 'body');
  if (b.model === undefined || b.model === null) throw invalidRequest("Missing required parameter: 'model'", 'model');
  const model = requireNonEmptyString(b.model, 'model');
  if (b.query === undefined || b.query === null) throw invalidRequest("Missing required parameter: 'query'", 'query');
  const query = requireNonEmptyString(b.query, 'query');
  const request: UnifiedRerankRequest = { model, query, documents: readDocuments(b.documents), returnDocuments: false };
  const topN = optionalNumber(b.top_n, 'top_n', { integer: true, min: 1 });
  if (topN !== undefined) request.topN = topN;
  // Cohere v1 and Jina return documents unless told not to, Cohere v2 never does: the gateway
  // follows the explicit flag and otherwise leaves them out (a caller that wants them says so).
  request.returnDocuments = optionalBoolean(b.return_documents, 'return_documents') ?? false;
  const maxTokensPerDoc = optionalNumber(b.max_tokens_per_doc, 'max_tokens_per_doc', { integer: true, min: 1 });
  if (maxTokensPerDoc !== undefined) request.maxTokensPerDoc = maxTokensPerDoc;
  return request;
}

function readDocuments(value: unknown): string[] {
  if (value === undefined || value === null) throw invalidRequest("Missing required parameter: 'documents'", 'documents');
  if (!Array.isArray(value)) throw invalidRequest("'documents' must be an array of strings or of {text} objects", 'documents');
  if (value.length === 0) throw invalidRequest("'documents' must not be empty", 'documents');
  if (value.length > MAX_RERANK_DOCUMENTS)
    throw invalidRequest(
      `'documents' has ${value.length} items; at most ${MAX_RERANK_DOCUMENTS} may be ranked in one request (the gateway's rerank document limit)`,
      'documents',
    );
  return value.map((item, i) => {
    if (typeof item === 'string') return item;
    if (isRecord(item) && item.text !== undefined) return requireString(item.text, `documents[${i}].text`);
    throw invalidRequest(`'documents[${i}]' must be a string or an object with a string 'text'`, `documents[${i}]`);
  });
}
