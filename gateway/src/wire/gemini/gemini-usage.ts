// Gemini `usageMetadata` <-> unified Usage.
//   inputTokens       = promptTokenCount + toolUsePromptTokenCount (cached content included)
//   cachedInputTokens = cachedContentTokenCount
//   outputTokens      = candidatesTokenCount + thoughtsTokenCount
//   reasoningTokens   = thoughtsTokenCount
// Gemini has no cache writes (implicit caching is free to create; explicit caches are billed
// as storage), so cacheWriteTokens is always 0.

import type { Usage } from '@switchyard/compiler';
import type { GeminiUsageMetadata } from './gemini-wire-types.js';

export function usageFromGemini(metadata: GeminiUsageMetadata | undefined): Usage {
  const prompt = count(metadata?.promptTokenCount) + count(metadata?.toolUsePromptTokenCount);
  const thoughts = count(metadata?.thoughtsTokenCount);
  return {
    inputTokens: prompt,
    cachedInputTokens: count(metadata?.cachedContentTokenCount),
    cacheWriteTokens: 0,
    outputTokens: count(metadata?.candidatesTokenCount) + thoughts,
    reasoningTokens: thoughts,
  };
}

/** True when the metadata carries token counts (Vertex streams send `{trafficType}`-only metadata mid-stream). */
export function hasTokenCounts(metadata: GeminiUsageMetadata | undefined): boolean {
  return (
    metadata !== undefined &&
    (metadata.promptTokenCount !== undefined || metadata.candidatesTokenCount !== undefined || metadata.totalTokenCount !== undefined)
  );
}

/** The reverse direction, for the Gemini front door. Zero detail counts are left out, as Gemini does. */
export function usageToGemini(usage: Usage): GeminiUsageMetadata {
  const metadata: GeminiUsageMetadata = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - usage.reasoningTokens),
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens > 0) metadata.cachedContentTokenCount = usage.cachedInputTokens;
  if (usage.reasoningTokens > 0) metadata.thoughtsTokenCount = usage.reasoningTokens;
  return metadata;
}

function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
