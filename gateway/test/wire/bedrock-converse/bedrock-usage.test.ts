import { describe, expect, it } from '@jest/globals';
import { unifiedUsageFromBedrock } from '../../../src/wire/bedrock-converse/bedrock-usage.js';
import { converseUsageFromUnified } from '../../providers/bedrock/converse-from-unified.js';

describe('unifiedUsageFromBedrock', () => {
  it.each([
    [
      'plain',
      { inputTokens: 22, outputTokens: 57, totalTokens: 79 },
      { inputTokens: 22, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 57, reasoningTokens: 0 },
    ],
    [
      'cache reads and writes are added to the unified input count',
      { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 1000, cacheWriteInputTokens: 200, totalTokens: 1215 },
      { inputTokens: 1210, cachedInputTokens: 1000, cacheWriteTokens: 200, outputTokens: 5, reasoningTokens: 0 },
    ],
    [
      'the older ...TokenCount spellings are read too',
      { inputTokens: 3, outputTokens: 4, cacheReadInputTokenCount: 7, cacheWriteInputTokenCount: 2 },
      { inputTokens: 12, cachedInputTokens: 7, cacheWriteTokens: 2, outputTokens: 4, reasoningTokens: 0 },
    ],
    ['missing usage', undefined, { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 }],
    [
      'junk values count as zero',
      { inputTokens: -1, outputTokens: 'many' },
      { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 },
    ],
  ])('%s', (_name, usage, expected) => {
    expect(unifiedUsageFromBedrock(usage)).toEqual(expected);
  });

  it('is the inverse of the mock-side conversion', () => {
    const usage = { inputTokens: 1210, cachedInputTokens: 1000, cacheWriteTokens: 200, outputTokens: 5, reasoningTokens: 0 };
    expect(converseUsageFromUnified(usage)).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 1215,
      cacheReadInputTokens: 1000,
      cacheWriteInputTokens: 200,
    });
    expect(unifiedUsageFromBedrock(converseUsageFromUnified(usage))).toEqual(usage);
  });
});
