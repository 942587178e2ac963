import { emptyUsage, type Usage } from '@switchyard/compiler';

function count(record: Record<string, unknown>, ...names: string[]): number {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.trunc(value);
  }
  return 0;
}

/**
 * Converse `usage` -> unified usage. Bedrock's `inputTokens` excludes prompt-cache reads and
 * writes (they are reported beside it), while the unified `inputTokens` counts every prompt
 * token, so the three are added. Bedrock does not report reasoning tokens separately; they are
 * inside `outputTokens`.
 */
export function unifiedUsageFromBedrock(usage: unknown): Usage {
  if (typeof usage !== 'object' || usage === null) return emptyUsage();
  const record = usage as Record<string, unknown>;
  const uncached = count(record, 'inputTokens');
  // Some responses carry both the current names and the older `...TokenCount` spellings.
  const cacheRead = count(record, 'cacheReadInputTokens', 'cacheReadInputTokenCount');
  const cacheWrite = count(record, 'cacheWriteInputTokens', 'cacheWriteInputTokenCount');
  return {
    inputTokens: uncached + cacheRead + cacheWrite,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: count(record, 'outputTokens'),
    reasoningTokens: 0,
  };
}
