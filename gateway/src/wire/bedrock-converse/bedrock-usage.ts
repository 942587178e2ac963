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
  const unified: Usage = {
    inputTokens: uncached + cacheRead + cacheWrite,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: count(record, 'outputTokens'),
    reasoningTokens: 0,
  };
  const hourLong = Math.min(oneHourWrites(record['cacheDetails']), cacheWrite);
  if (hourLong > 0) unified.cacheWrite1hTokens = hourLong;
  return unified;
}

/** `cacheDetails`: cache writes by TTL (`[{ttl: "1h", inputTokens}, {ttl: "5m", ...}]`); the one-hour ones. */
function oneHourWrites(details: unknown): number {
  if (!Array.isArray(details)) return 0;
  let total = 0;
  for (const detail of details) {
    if (typeof detail === 'object' && detail !== null && (detail as Record<string, unknown>)['ttl'] === '1h')
      total += count(detail as Record<string, unknown>, 'inputTokens');
  }
  return total;
}
