// The shared store: entries in Redis under `switchyard:cache:<digest>` with `SET ... PX ttl`, so
// every replica serves what any of them stored. Redis trouble is a miss (or a skipped store) and
// a warning at most once per WARN_INTERVAL_MS, never a failed request. A connection of its own,
// with the same no-offline-queue policy as governance's, so a dead Redis fails fast.
import { createRequire } from 'node:module';
import type { Logger } from '../observe/logger.js';
import { redactRedisUrl } from '../governance/redis/redis-connection.js';
import { MAX_ENTRY_BYTES, parseCachedAnswer, serializeCachedAnswer, type CachedAnswer } from './cached-answer.js';
import type { ResponseCache } from './response-cache.js';

export const REDIS_CACHE_PREFIX = 'switchyard:cache:';
const WARN_INTERVAL_MS = 30_000;

const requireFromHere = createRequire(import.meta.url);
function loadRedisClient(): typeof import('ioredis').Redis {
  return (requireFromHere('ioredis') as typeof import('ioredis')).Redis;
}

export interface RedisResponseCacheOptions {
  url: string;
  timeoutMs: number;
  logger: Logger;
}

export class RedisResponseCache implements ResponseCache {
  private readonly client: InstanceType<ReturnType<typeof loadRedisClient>>;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(private readonly options: RedisResponseCacheOptions) {
    const Redis = loadRedisClient();
    this.client = new Redis(options.url, {
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1_000),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    });
    // Connection errors surface through the commands that fail; this only keeps them from being unhandled.
    this.client.on('error', () => undefined);
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    try {
      const text = await this.client.get(REDIS_CACHE_PREFIX + key);
      return text === null ? undefined : parseCachedAnswer(text);
    } catch (error) {
      this.warn('lookup', error);
      return undefined;
    }
  }

  async put(key: string, answer: CachedAnswer, ttlMs: number): Promise<void> {
    const text = serializeCachedAnswer(answer);
    if (Buffer.byteLength(text, 'utf8') > MAX_ENTRY_BYTES) return;
    try {
      await this.client.set(REDIS_CACHE_PREFIX + key, text, 'PX', Math.max(1, Math.round(ttlMs)));
    } catch (error) {
      this.warn('store', error);
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  private warn(operation: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_INTERVAL_MS) {
      this.suppressed += 1;
      return;
    }
    this.options.logger.warn('response cache: Redis unavailable, serving without the cache', {
      operation,
      redis: redactRedisUrl(this.options.url),
      error: error instanceof Error ? error.message : String(error),
      ...(this.suppressed > 0 ? { suppressedSinceLastWarning: this.suppressed } : {}),
    });
    this.lastWarnAt = now;
    this.suppressed = 0;
  }
}
