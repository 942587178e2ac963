// Anthropic reports prompt tokens in three disjoint buckets (uncached `input_tokens`, cache
// reads, cache writes); the unified Usage counts all prompt tokens in `inputTokens` with the
// cached and cache-write shares broken out (docs/architecture.md).

import type { Usage } from '@switchyard/compiler';
import type { AnthropicUsage } from './anthropic-messages-types.js';
import { countField, isRecord } from '@switchyard/compiler';

/** The usage counters present in one Anthropic usage object; absent and null fields stay undefined. */
export interface AnthropicUsageCounters {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  thinkingTokens?: number;
}

export function readAnthropicUsage(value: unknown): AnthropicUsageCounters {
  if (!isRecord(value)) return {};
  const counters: AnthropicUsageCounters = {};
  const input = countField(value, 'input_tokens');
  const output = countField(value, 'output_tokens');
  const cacheRead = countField(value, 'cache_read_input_tokens');
  const cacheWrite = countField(value, 'cache_creation_input_tokens');
  if (input !== undefined) counters.inputTokens = input;
  if (output !== undefined) counters.outputTokens = output;
  if (cacheRead !== undefined) counters.cacheReadInputTokens = cacheRead;
  if (cacheWrite !== undefined) counters.cacheCreationInputTokens = cacheWrite;
  const details = value['output_tokens_details'];
  if (isRecord(details)) {
    const thinking = countField(details, 'thinking_tokens');
    if (thinking !== undefined) counters.thinkingTokens = thinking;
  }
  return counters;
}

/**
 * Stream usage: message_start carries the prompt counts, message_delta the cumulative totals.
 * Every counter in message_delta is a whole-message total, so a present one replaces the earlier
 * value and is never added to it.
 */
export function mergeAnthropicUsage(earlier: AnthropicUsageCounters, later: AnthropicUsageCounters): AnthropicUsageCounters {
  return { ...earlier, ...later };
}

export function usageFromAnthropic(counters: AnthropicUsageCounters): Usage {
  const cached = counters.cacheReadInputTokens ?? 0;
  const cacheWrite = counters.cacheCreationInputTokens ?? 0;
  return {
    inputTokens: (counters.inputTokens ?? 0) + cached + cacheWrite,
    cachedInputTokens: cached,
    cacheWriteTokens: cacheWrite,
    outputTokens: counters.outputTokens ?? 0,
    // Anthropic bills thinking as output and reports it separately only on newer models.
    reasoningTokens: counters.thinkingTokens ?? 0,
  };
}

export function usageToAnthropic(usage: Usage): AnthropicUsage {
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    output_tokens: usage.outputTokens,
  };
}
