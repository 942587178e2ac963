// OpenAI usage <-> unified Usage. OpenAI counts cached tokens inside prompt_tokens and reasoning
// tokens inside completion_tokens, which is exactly the unified convention, so the mapping is
// one-to-one; compatible providers put the same numbers in other places (DeepSeek
// `prompt_cache_hit_tokens`, Groq `x_groq.usage`).

import type { Usage } from '@switchyard/compiler';
import type { OpenAICompletionUsage } from './openai-chat-types.js';
import { isRecord, optionalNumber } from '@switchyard/compiler';

/** Reads an OpenAI-format usage object; absent or malformed fields count as 0. */
export function usageFromOpenAI(wire: unknown): Usage {
  if (!isRecord(wire)) return { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  const promptDetails = isRecord(wire.prompt_tokens_details) ? wire.prompt_tokens_details : {};
  const completionDetails = isRecord(wire.completion_tokens_details) ? wire.completion_tokens_details : {};
  return {
    inputTokens: count(wire.prompt_tokens),
    cachedInputTokens: count(promptDetails.cached_tokens ?? wire.prompt_cache_hit_tokens),
    cacheWriteTokens: count(promptDetails.cache_write_tokens),
    outputTokens: count(wire.completion_tokens),
    reasoningTokens: count(completionDetails.reasoning_tokens),
  };
}

export function openAIUsageFromUsage(usage: Usage): OpenAICompletionUsage {
  const promptDetails: NonNullable<OpenAICompletionUsage['prompt_tokens_details']> = { cached_tokens: usage.cachedInputTokens };
  if (usage.cacheWriteTokens > 0) promptDetails.cache_write_tokens = usage.cacheWriteTokens;
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

function count(value: unknown): number {
  const n = optionalNumber(value);
  return n === undefined || n < 0 ? 0 : Math.trunc(n);
}
