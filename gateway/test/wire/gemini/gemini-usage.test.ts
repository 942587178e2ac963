import { describe, expect, it } from '@jest/globals';
import type { Usage } from '@switchyard/compiler';
import { usageFromGemini, usageToGemini } from '../../../src/wire/gemini/gemini-usage.js';
import type { GeminiUsageMetadata } from '../../../src/wire/gemini/gemini-wire-types.js';
import { loadGeminiCaptureJson } from '../../mocks/gemini-mock-server.js';

describe('usageFromGemini', () => {
  it.each<[string, GeminiUsageMetadata | undefined, Usage]>([
    ['absent', undefined, { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 }],
    [
      'plain counts',
      { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
      { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 },
    ],
    [
      'thoughts count as output and reasoning',
      { promptTokenCount: 9, candidatesTokenCount: 28, thoughtsTokenCount: 244, totalTokenCount: 281 },
      { inputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 272, reasoningTokens: 244 },
    ],
    [
      'cached content is part of the prompt count',
      { promptTokenCount: 1200, cachedContentTokenCount: 1024, candidatesTokenCount: 40, totalTokenCount: 1240 },
      { inputTokens: 1200, cachedInputTokens: 1024, cacheWriteTokens: 0, outputTokens: 40, reasoningTokens: 0 },
    ],
    [
      'tool-use prompt tokens are input',
      { promptTokenCount: 50, toolUsePromptTokenCount: 30, candidatesTokenCount: 10, totalTokenCount: 90 },
      { inputTokens: 80, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 10, reasoningTokens: 0 },
    ],
    [
      'metadata without counts (Vertex mid-stream)',
      { totalTokenCount: undefined } as GeminiUsageMetadata,
      { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 },
    ],
  ])('%s', (_name, metadata, expected) => {
    expect(usageFromGemini(metadata)).toEqual(expected);
  });

  it.each(['google-text', 'google-reasoning', 'google-tool-call'])('capture %s: input + output = totalTokenCount', (name) => {
    const { usageMetadata } = loadGeminiCaptureJson(name) as { usageMetadata: GeminiUsageMetadata };
    const usage = usageFromGemini(usageMetadata);
    expect(usage.inputTokens + usage.outputTokens).toBe(usageMetadata.totalTokenCount);
    expect(usage.reasoningTokens).toBe(usageMetadata.thoughtsTokenCount);
  });
});

describe('usageToGemini', () => {
  it('splits reasoning back out of the output and leaves zero details out', () => {
    expect(usageToGemini({ inputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 272, reasoningTokens: 244 })).toEqual({
      promptTokenCount: 9,
      candidatesTokenCount: 28,
      thoughtsTokenCount: 244,
      totalTokenCount: 281,
    });
    expect(
      usageToGemini({ inputTokens: 1200, cachedInputTokens: 1024, cacheWriteTokens: 0, outputTokens: 40, reasoningTokens: 0 }),
    ).toEqual({
      promptTokenCount: 1200,
      cachedContentTokenCount: 1024,
      candidatesTokenCount: 40,
      totalTokenCount: 1240,
    });
  });

  it('round-trips', () => {
    const usage: Usage = { inputTokens: 120, cachedInputTokens: 64, cacheWriteTokens: 0, outputTokens: 300, reasoningTokens: 200 };
    expect(usageFromGemini(usageToGemini(usage))).toEqual(usage);
  });
});
