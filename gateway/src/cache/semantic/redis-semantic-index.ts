// The shared semantic index: one Redis list per partition, `switchyard:semcache:<partition>`,
// whose items are `<expiresAtMs>:<answer key>:<base64 float32 vector>`, oldest first. A lookup
// reads the partition's list (LRANGE) and scores it in the gateway: plain Redis 7, no modules.
// An add drops the same answer's older vector and expired items, appends, trims the list to
// maxEntriesPerPartition and keeps the key alive for the longest ttl in it, in one script.
// An entry is visible to every replica as soon as that script ran, which is right after the
// answer was sent (docs/cache.md states the delay). Redis trouble is a miss or a skipped add and
// a rate-limited warning, never a failed request, like the exact cache in Redis.
import type { Logger } from '@switchyard/compiler';
import { RateLimitedWarning } from '../../observe/rate-limited-warning.js';
import { luaScript, type RedisConnection } from '../../redis/redis-connection.js';
import type { SemanticEntry, SemanticIndex, SemanticMatch } from './semantic-index.js';
import { decodeVector, encodeVector, similarity } from './vectors.js';

const PREFIX = 'switchyard:semcache:';
const WARN_INTERVAL_MS = 30_000;

const READ_PARTITION = luaScript('semcache-read', "return redis.call('LRANGE', KEYS[1], 0, -1)");

const ADD_ENTRY = luaScript(
  'semcache-add',
  `local key = KEYS[1]
local answerKey = ARGV[2]
local maxEntries = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
for _, item in ipairs(redis.call('LRANGE', key, 0, -1)) do
  local first = string.find(item, ':', 1, true)
  local second = first and string.find(item, ':', first + 1, true)
  if not second then
    redis.call('LREM', key, 0, item)
  else
    local expires = tonumber(string.sub(item, 1, first - 1)) or 0
    if expires <= now or string.sub(item, first + 1, second - 1) == answerKey then redis.call('LREM', key, 0, item) end
  end
end
redis.call('RPUSH', key, ARGV[1])
redis.call('LTRIM', key, -maxEntries, -1)
if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
return 1`,
);

export interface RedisSemanticIndexOptions {
  redis: RedisConnection;
  logger: Logger;
  nowMs: () => number;
}

export class RedisSemanticIndex implements SemanticIndex {
  private readonly warning: RateLimitedWarning;

  constructor(private readonly options: RedisSemanticIndexOptions) {
    this.warning = new RateLimitedWarning(options.logger, 'semantic cache: Redis unavailable, serving without it', WARN_INTERVAL_MS);
  }

  async search(partition: string, vector: Float32Array, threshold: number): Promise<SemanticMatch | undefined> {
    let items: unknown;
    try {
      items = await this.options.redis.run(READ_PARTITION, [PREFIX + partition], []);
    } catch (error) {
      this.warn('lookup', error);
      return undefined;
    }
    if (!Array.isArray(items)) return undefined;
    const now = this.options.nowMs();
    let best: SemanticMatch | undefined;
    for (const item of items) {
      const entry = typeof item === 'string' ? parseItem(item) : undefined;
      if (entry === undefined || entry.expiresAtMs <= now) continue;
      const score = similarity(vector, entry.vector);
      if (score >= threshold && (best === undefined || score >= best.similarity)) best = { answerKey: entry.answerKey, similarity: score };
    }
    return best;
  }

  async add(partition: string, entry: SemanticEntry, ttlMs: number, maxEntries: number): Promise<void> {
    const now = this.options.nowMs();
    const ttl = Math.max(1, Math.round(ttlMs));
    const item = `${now + ttl}:${entry.answerKey}:${encodeVector(entry.vector)}`;
    try {
      await this.options.redis.run(ADD_ENTRY, [PREFIX + partition], [item, entry.answerKey, maxEntries, ttl, now]);
    } catch (error) {
      this.warn('store', error);
    }
  }

  /** The connection belongs to governance, which closes it. */
  async close(): Promise<void> {}

  private warn(operation: string, error: unknown): void {
    this.warning.report({ operation, error: error instanceof Error ? error.message : String(error) });
  }
}

function parseItem(item: string): { expiresAtMs: number; answerKey: string; vector: Float32Array } | undefined {
  const first = item.indexOf(':');
  const second = first === -1 ? -1 : item.indexOf(':', first + 1);
  if (second === -1) return undefined;
  const expiresAtMs = Number(item.slice(0, first));
  const vector = decodeVector(item.slice(second + 1));
  if (!Number.isFinite(expiresAtMs) || vector === undefined) return undefined;
  return { expiresAtMs, answerKey: item.slice(first + 1, second), vector };
}
