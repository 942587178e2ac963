// The shared store: entries in Redis under `switchyard:cache:<digest>` with `SET ... PX ttl`, so
// every replica serves what any of them stored. Redis trouble is a miss (or a skipped store) and
// a warning at most once per WARN_INTERVAL_MS, never a failed request. It shares governance's
// connection, whose no-offline-queue policy makes a dead Redis fail fast.
import type { Logger } from '@switchyard/compiler';
import { RateLimitedWarning } from '../observe/rate-limited-warning.js';
import { luaScript, type RedisConnection } from '../redis/redis-connection.js';
import { MAX_ENTRY_BYTES, parseCachedAnswer, serializeCachedAnswer, type CachedAnswer } from './cached-answer.js';
import type { ResponseCache } from './response-cache.js';

const REDIS_CACHE_PREFIX = 'switchyard:cache:';
const WARN_INTERVAL_MS = 30_000;

const GET_ENTRY = luaScript('cache-get', "return redis.call('GET', KEYS[1])");
const SET_ENTRY = luaScript('cache-set', "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1");

export interface RedisResponseCacheOptions {
  /** Governance's connection: one per gateway, with its no-offline-queue, fail-fast policy. */
  redis: RedisConnection;
  logger: Logger;
}

export class RedisResponseCache implements ResponseCache {
  private readonly warning: RateLimitedWarning;

  constructor(private readonly options: RedisResponseCacheOptions) {
    this.warning = new RateLimitedWarning(options.logger, 'response cache: Redis unavailable, serving without the cache', WARN_INTERVAL_MS);
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    try {
      const text = await this.options.redis.run(GET_ENTRY, [REDIS_CACHE_PREFIX + key], []);
      return typeof text === 'string' ? parseCachedAnswer(text) : undefined;
    } catch (error) {
      this.warn('lookup', error);
      return undefined;
    }
  }

  async put(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean> {
    const text = serializeCachedAnswer(answer);
    if (Buffer.byteLength(text, 'utf8') > MAX_ENTRY_BYTES) return false;
    try {
      await this.options.redis.run(SET_ENTRY, [REDIS_CACHE_PREFIX + key], [text, Math.max(1, Math.round(ttlMs))]);
      return true;
    } catch (error) {
      this.warn('store', error);
      return false;
    }
  }

  /** The connection belongs to governance, which closes it. */
  async close(): Promise<void> {}

  private warn(operation: string, error: unknown): void {
    this.warning.report({ operation, error: error instanceof Error ? error.message : String(error) });
  }
}
