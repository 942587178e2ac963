// The Bedrock Agent Runtime's `Rerank` answer -> UnifiedRerankResponse: `results` of
// `{index, relevanceScore}` (camelCase, unlike the other dialects). Bedrock reports no usage in
// the body (it bills per query of up to 100 documents), so the operation falls back to the
// gateway's estimate.

import type { ProviderName } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import type { UnifiedRerankRequest, UnifiedRerankResponse } from '../../unified/rerank.js';
import { malformedRerank, readRerankResults } from './rerank-results.js';

/** `upstreamModel`: the backend's model (Bedrock's answer names none). */
export function decodeBedrockRerankResponse(
  body: unknown,
  request: UnifiedRerankRequest,
  provider: ProviderName,
  upstreamModel: string,
): UnifiedRerankResponse {
  if (!isRecord(body)) throw malformedRerank(provider, 'not a JSON object');
  const results = Array.isArray(body.results)
    ? body.results.map((item) => (isRecord(item) ? { index: item.index, relevance_score: item.relevanceScore } : item))
    : body.results;
  return { id: '', model: upstreamModel, results: readRerankResults(results, request, provider) };
}
