// UnifiedRerankRequest -> Cohere's POST /v2/rerank body. v2 takes documents as strings and never
// returns them (the gateway adds them from the request when the caller asked), and is the one
// API with `max_tokens_per_doc`.

import type { UnifiedRerankRequest } from '../../unified/rerank.js';

export function convertToCohereRerankRequest(request: UnifiedRerankRequest, upstreamModel: string): Record<string, unknown> {
  const body: Record<string, unknown> = { model: upstreamModel, query: request.query, documents: request.documents };
  if (request.topN !== undefined) body.top_n = request.topN;
  if (request.maxTokensPerDoc !== undefined) body.max_tokens_per_doc = request.maxTokensPerDoc;
  return body;
}
