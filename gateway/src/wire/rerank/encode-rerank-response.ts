// UnifiedRerankResponse -> the caller's answer, a superset of what the common clients read:
// `results[].index` and `relevance_score` (everyone), `document: {text}` when the caller asked
// (Cohere v1, Jina, vLLM), `usage.total_tokens` when known (Jina, vLLM), and
// `meta.billed_units.search_units` when known (Cohere). `model` is the caller's model name.

import type { UnifiedRerankRequest, UnifiedRerankResponse } from '../../unified/rerank.js';

export function encodeRerankResponse(response: UnifiedRerankResponse, request: UnifiedRerankRequest, id: string): string {
  const results = response.results.map((result) => {
    const item: Record<string, unknown> = { index: result.index, relevance_score: result.relevanceScore };
    if (request.returnDocuments) item.document = { text: request.documents[result.index] };
    return item;
  });
  const answer: Record<string, unknown> = { id: response.id === '' ? id : response.id, model: request.model, results };
  if (response.inputTokens !== undefined) answer.usage = { total_tokens: response.inputTokens };
  if (response.searchUnits !== undefined) answer.meta = { billed_units: { search_units: response.searchUnits } };
  return JSON.stringify(answer);
}
