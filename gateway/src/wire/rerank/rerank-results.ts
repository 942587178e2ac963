// What both upstream decoders do with a results array: check each result against the request
// (an index out of range would make the caller's `document` wrong), order them best first and keep
// `top_n` of them, whatever order and count the upstream sent.

import { isRecord } from '@switchyard/compiler';
import type { ProviderName } from '@switchyard/compiler';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import type { RerankResult, UnifiedRerankRequest } from '../../unified/rerank.js';

export function malformedRerank(provider: ProviderName, what: string): UpstreamFailure {
  return new UpstreamFailure('ServerError', 200, `${provider} returned a malformed rerank response: ${what}`);
}

export function readRerankResults(value: unknown, request: UnifiedRerankRequest, provider: ProviderName): RerankResult[] {
  if (!Array.isArray(value)) throw malformedRerank(provider, 'no results array');
  const results = value.map((item, i): RerankResult => {
    if (!isRecord(item)) throw malformedRerank(provider, `results[${i}] is not an object`);
    const { index } = item;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= request.documents.length)
      throw malformedRerank(provider, `results[${i}].index is not a document index`);
    const score = item.relevance_score;
    if (typeof score !== 'number' || !Number.isFinite(score))
      throw malformedRerank(provider, `results[${i}] has no numeric relevance_score`);
    return { index, relevanceScore: score };
  });
  results.sort((a, b) => b.relevanceScore - a.relevanceScore);
  return request.topN !== undefined && results.length > request.topN ? results.slice(0, request.topN) : results;
}

/** A non-negative integer count, else undefined (absent, null or nonsense). */
export function countOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
