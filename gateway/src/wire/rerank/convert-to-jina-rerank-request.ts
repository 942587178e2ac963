// UnifiedRerankRequest -> the `/rerank` body Jina defined and vLLM, Together and Infinity accept
// (`model`, `query`, `documents`, `top_n`, `return_documents`). Documents are never asked back:
// the gateway has them, so the upstream's answer stays small. `max_tokens_per_doc` has no
// equivalent here (each server truncates by its own rule) and is not sent.

import type { UnifiedRerankRequest } from '../../unified/rerank.js';

export function convertToJinaRerankRequest(request: UnifiedRerankRequest, upstreamModel: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: upstreamModel,
    query: request.query,
    documents: request.documents,
    return_documents: false,
  };
  if (request.topN !== undefined) body.top_n = request.topN;
  return body;
}
