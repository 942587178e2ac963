// Unified Usage -> the Responses API's usage object. Like Chat Completions, OpenAI counts cached
// tokens inside input_tokens and reasoning tokens inside output_tokens, which is the unified
// convention, so every number maps one-to-one.

import type { Usage } from '@switchyard/compiler';
import type { ResponsesUsage } from './openai-responses-types.js';

export function responsesUsageFromUsage(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens, cache_write_tokens: usage.cacheWriteTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}
