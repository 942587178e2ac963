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
  /** Of the cache writes, those with `ttl: 1h` (`cache_creation.ephemeral_1h_input_tokens`). */
  cacheCreation1hInputTokens?: number;
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
  const creation = value['cache_creation'];
  if (isRecord(creation)) {
    const hourLong = countField(creation, 'ephemeral_1h_input_tokens');
    if (hourLong !== undefined) counters.cacheCreation1hInputTokens = hourLong;
  }
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
  const usage: Usage = {
    inputTokens: (counters.inputTokens ?? 0) + cached + cacheWrite,
    cachedInputTokens: cached,
    cacheWriteTokens: cacheWrite,
    outputTokens: counters.outputTokens ?? 0,
    // Anthropic bills thinking as output and reports it separately only on newer models.
    reasoningTokens: counters.thinkingTokens ?? 0,
  };
  const hourLong = Math.min(counters.cacheCreation1hInputTokens ?? 0, cacheWrite);
  if (hourLong > 0) usage.cacheWrite1hTokens = hourLong;
  return usage;
}

export function usageToAnthropic(usage: Usage): AnthropicUsage {
  const wire: AnthropicUsage = {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    output_tokens: usage.outputTokens,
  };
  // The TTL split, when the upstream gave one (it prices the two kinds of write differently).
  const hourLong = usage.cacheWrite1hTokens ?? 0;
  if (hourLong > 0) {
    wire.cache_creation = {
      ephemeral_5m_input_tokens: Math.max(0, usage.cacheWriteTokens - hourLong),
      ephemeral_1h_input_tokens: hourLong,
    };
  }
  return wire;
}
