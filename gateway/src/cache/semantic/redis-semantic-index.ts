// The shared semantic index: per partition, a Redis list of its entries,
// `switchyard:semcache:{<partition>}` holding `<expiresAtMs>:<answer key>` oldest first, and a
// hash of their vectors, `switchyard:semcache:{<partition>}:vectors` (answer key -> base64 of the
// float32 vector). A lookup reads both in one script and scores them in the gateway: plain Redis
// 7, no modules. An add (one script) walks only the small entry list, so Redis is not held up
// copying vectors. An entry is visible to every replica as soon as that script ran, which is
// right after the answer was stored (docs/cache.md states the delay). Redis trouble is a miss or
// a skipped add and a rate-limited warning, never a failed request, like the exact cache in Redis.
import type { Logger } from '@switchyard/compiler';
import { RateLimitedWarning } from '../../observe/rate-limited-warning.js';
import { luaScript, type RedisConnection } from '../../redis/redis-connection.js';
import type { SemanticEntry, SemanticIndex, SemanticMatch } from './semantic-index.js';
import { decodeVector, encodeVector, similarity } from './vectors.js';

const PREFIX = 'switchyard:semcache:';
const WARN_INTERVAL_MS = 30_000;

/**
 * Reads a partition: its entries' `<expiresAtMs>:<answer key>`, oldest first, and the vector of
 * each (HMGET), in one round trip. Items of entries past their expiry are left for the next add.
 */
const READ_PARTITION = luaScript(
  'semcache-read',
  `local entries = redis.call('LRANGE', KEYS[1], 0, -1)
if #entries == 0 then return {} end
local fields = {}
for i, item in ipairs(entries) do
  local sep = string.find(item, ':', 1, true)
  fields[i] = sep and string.sub(item, sep + 1) or ''
end
return {entries, redis.call('HMGET', KEYS[2], unpack(fields))}`,
);

/**
 * Adds one entry: drops expired entries and the same answer's older one (their vectors too),
 * appends, trims to maxEntries (oldest first), and keeps both keys alive for the longest ttl in
 * them. The loop walks the small entry list only; vectors are never read here.
 */
const ADD_ENTRY = luaScript(
  'semcache-add',
  `local list, vectors = KEYS[1], KEYS[2]
local answerKey, vector = ARGV[1], ARGV[2]
local maxEntries, ttl, now = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
for _, item in ipairs(redis.call('LRANGE', list, 0, -1)) do
  local sep = string.find(item, ':', 1, true)
  local expires = sep and tonumber(string.sub(item, 1, sep - 1)) or 0
  local key = sep and string.sub(item, sep + 1) or ''
  if expires <= now or key == answerKey then
    redis.call('LREM', list, 0, item)
    if key ~= answerKey then redis.call('HDEL', vectors, key) end
  end
end
redis.call('RPUSH', list, (now + ttl) .. ':' .. answerKey)
redis.call('HSET', vectors, answerKey, vector)
while redis.call('LLEN', list) > maxEntries do
  local oldest = redis.call('LPOP', list)
  local sep = string.find(oldest, ':', 1, true)
  if sep then redis.call('HDEL', vectors, string.sub(oldest, sep + 1)) end
end
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
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
    let reply: unknown;
    try {
      reply = await this.options.redis.run(READ_PARTITION, partitionKeys(partition), []);
    } catch (error) {
      this.warn('lookup', error);
      return undefined;
    }
    if (!Array.isArray(reply) || !Array.isArray(reply[0]) || !Array.isArray(reply[1])) return undefined;
    const [entries, vectors] = reply as [unknown[], unknown[]];
    const now = this.options.nowMs();
    let best: SemanticMatch | undefined;
    entries.forEach((item, i) => {
      const entry = typeof item === 'string' ? parseEntry(item) : undefined;
      const encoded = vectors[i];
      if (entry === undefined || entry.expiresAtMs <= now || typeof encoded !== 'string') return;
      const stored = decodeVector(encoded);
      if (stored === undefined) return;
      const score = similarity(vector, stored);
      if (score >= threshold && (best === undefined || score >= best.similarity)) best = { answerKey: entry.answerKey, similarity: score };
    });
    return best;
  }

  async add(partition: string, entry: SemanticEntry, ttlMs: number, maxEntries: number): Promise<void> {
    const ttl = Math.max(1, Math.round(ttlMs));
    const args = [entry.answerKey, encodeVector(entry.vector), maxEntries, ttl, this.options.nowMs()];
    try {
      await this.options.redis.run(ADD_ENTRY, partitionKeys(partition), args);
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

/** The partition's entry list and its vectors' hash. The hash tag keeps both on one Redis Cluster slot. */
function partitionKeys(partition: string): [string, string] {
  return [`${PREFIX}{${partition}}`, `${PREFIX}{${partition}}:vectors`];
}

function parseEntry(item: string): { expiresAtMs: number; answerKey: string } | undefined {
  const sep = item.indexOf(':');
  if (sep === -1) return undefined;
  const expiresAtMs = Number(item.slice(0, sep));
  return Number.isFinite(expiresAtMs) ? { expiresAtMs, answerKey: item.slice(sep + 1) } : undefined;
}
