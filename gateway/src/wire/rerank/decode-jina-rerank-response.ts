// The `/rerank` answer of Jina, vLLM, Together and Infinity -> UnifiedRerankResponse: `results`
// and `usage` (`prompt_tokens` where the server splits it, as Together does, else
// `total_tokens`: a reranker generates nothing, so every token it counts was read).

import type { ProviderName } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import type { UnifiedRerankRequest, UnifiedRerankResponse } from '../../unified/rerank.js';
import { countOrUndefined, malformedRerank, readRerankResults } from './rerank-results.js';

/** `upstreamModel`: the backend's model, for servers whose answer does not name one. */
export function decodeJinaRerankResponse(
  body: unknown,
  request: UnifiedRerankRequest,
  provider: ProviderName,
  upstreamModel: string,
): UnifiedRerankResponse {
  if (!isRecord(body)) throw malformedRerank(provider, 'not a JSON object');
  const response: UnifiedRerankResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : upstreamModel,
    results: readRerankResults(body.results, request, provider),
  };
  const usage = isRecord(body.usage) ? body.usage : undefined;
  const inputTokens = countOrUndefined(usage?.prompt_tokens) ?? countOrUndefined(usage?.total_tokens);
  if (inputTokens !== undefined) response.inputTokens = inputTokens;
  return response;
}
