// Cohere's /v2/rerank answer -> UnifiedRerankResponse: `results` and `meta.billed_units`
// (search units, Cohere's billing unit for rerank). Tokens are taken when `meta` has them
// (`meta.tokens.input_tokens`, `meta.billed_units.input_tokens`); Cohere's rerank usually
// reports none.

import type { ProviderName } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import type { UnifiedRerankRequest, UnifiedRerankResponse } from '../../unified/rerank.js';
import { countOrUndefined, malformedRerank, readRerankResults } from './rerank-results.js';

/** `upstreamModel`: the backend's model, which Cohere's answer does not name. */
export function decodeCohereRerankResponse(
  body: unknown,
  request: UnifiedRerankRequest,
  provider: ProviderName,
  upstreamModel: string,
): UnifiedRerankResponse {
  if (!isRecord(body)) throw malformedRerank(provider, 'not a JSON object');
  const response: UnifiedRerankResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: upstreamModel,
    results: readRerankResults(body.results, request, provider),
  };
  const meta = isRecord(body.meta) ? body.meta : undefined;
  const billed = meta !== undefined && isRecord(meta.billed_units) ? meta.billed_units : undefined;
  const tokens = meta !== undefined && isRecord(meta.tokens) ? meta.tokens : undefined;
  const searchUnits = countOrUndefined(billed?.search_units);
  if (searchUnits !== undefined) response.searchUnits = searchUnits;
  const inputTokens = countOrUndefined(tokens?.input_tokens) ?? countOrUndefined(billed?.input_tokens);
  if (inputTokens !== undefined) response.inputTokens = inputTokens;
  return response;
}
