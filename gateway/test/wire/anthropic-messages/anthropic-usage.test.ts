import { describe, expect, it } from '@jest/globals';
import {
  mergeAnthropicUsage,
  readAnthropicUsage,
  usageFromAnthropic,
  usageToAnthropic,
} from '../../../src/wire/anthropic-messages/anthropic-usage.js';

describe('Anthropic usage -> unified usage', () => {
  const cases = [
    {
      name: 'no cache: input_tokens are all prompt tokens',
      wire: { input_tokens: 12, output_tokens: 30, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      expected: { inputTokens: 12, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 30, reasoningTokens: 0 },
    },
    {
      name: 'cache reads and writes are added to the prompt total and broken out',
      wire: { input_tokens: 50, output_tokens: 7, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 },
      expected: { inputTokens: 1250, cachedInputTokens: 1000, cacheWriteTokens: 200, outputTokens: 7, reasoningTokens: 0 },
    },
    {
      name: 'null cache counters read as zero',
      wire: { input_tokens: 5, output_tokens: 1, cache_read_input_tokens: null, cache_creation_input_tokens: null },
      expected: { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0 },
    },
    {
      name: 'thinking tokens reported by output_tokens_details become reasoning tokens',
      wire: { input_tokens: 5, output_tokens: 100, output_tokens_details: { thinking_tokens: 80 } },
      expected: { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 100, reasoningTokens: 80 },
    },
    {
      name: 'garbage reads as zero',
      wire: { input_tokens: -3, output_tokens: 'many' },
      expected: { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 },
    },
  ];

  it.each(cases)('$name', ({ wire, expected }) => {
    expect(usageFromAnthropic(readAnthropicUsage(wire))).toEqual(expected);
  });

  it('a missing usage object is all zeros', () => {
    expect(usageFromAnthropic(readAnthropicUsage(undefined))).toEqual({
      inputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
    });
  });
});

describe('stream usage merging', () => {
  it('message_delta counters replace message_start ones; absent ones keep the start values', () => {
    const start = readAnthropicUsage({ input_tokens: 43, output_tokens: 1, cache_read_input_tokens: 100, cache_creation_input_tokens: 10 });
    const delta = readAnthropicUsage({ input_tokens: 61, output_tokens: 2, cache_read_input_tokens: null });
    expect(usageFromAnthropic(mergeAnthropicUsage(start, delta))).toEqual({
      inputTokens: 61 + 100 + 10,
      cachedInputTokens: 100,
      cacheWriteTokens: 10,
      outputTokens: 2,
      reasoningTokens: 0,
    });
  });

  it('output tokens are cumulative, never summed', () => {
    const start = readAnthropicUsage({ input_tokens: 12, output_tokens: 1 });
    const delta = readAnthropicUsage({ output_tokens: 30 });
    expect(usageFromAnthropic(mergeAnthropicUsage(start, delta)).outputTokens).toBe(30);
  });
});

describe('unified usage -> Anthropic usage', () => {
  const cases = [
    {
      name: 'input_tokens excludes cached and cache-write tokens',
      usage: { inputTokens: 1250, cachedInputTokens: 1000, cacheWriteTokens: 200, outputTokens: 7, reasoningTokens: 0 },
      expected: { input_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200, output_tokens: 7 },
    },
    {
      name: 'reasoning tokens stay inside output_tokens',
      usage: { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 90, reasoningTokens: 60 },
      expected: { input_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 90 },
    },
    {
      name: 'inconsistent upstream numbers never go negative',
      usage: { inputTokens: 5, cachedInputTokens: 10, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0 },
      expected: { input_tokens: 0, cache_read_input_tokens: 10, cache_creation_input_tokens: 0, output_tokens: 1 },
    },
  ];

  it.each(cases)('$name', ({ usage, expected }) => {
    expect(usageToAnthropic(usage)).toEqual(expected);
  });

  it('round-trips through the unified shape', () => {
    const wire = { input_tokens: 50, output_tokens: 7, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 };
    expect(usageToAnthropic(usageFromAnthropic(readAnthropicUsage(wire)))).toEqual(wire);
  });
});
