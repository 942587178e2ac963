// The one Redis connection a gateway opens (rate limits, budgets, the response cache and the
// Responses store all run on it): Lua scripts by SHA (EVALSHA, loaded on NOSCRIPT),
// a command timeout, no offline queue (a command while disconnected fails at once instead of
// waiting, so --redis-failure-mode decides quickly), reconnection in the background, and a
// log line and the switchyard_redis_up gauge on every change between reachable and not.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Logger } from '@switchyard/compiler';
import { SharedStoreUnavailableError } from './shared-store-unavailable.js';

// ioredis is loaded only when a gateway is given --redis-url: importing it costs every other
// gateway about 16 MB of resident memory. It is a CommonJS package, so a synchronous require
// keeps connectRedis synchronous.
const requireFromHere = createRequire(import.meta.url);
function loadRedisClient(): typeof import('ioredis').Redis {
  return (requireFromHere('ioredis') as typeof import('ioredis')).Redis;
}

export interface LuaScript {
  name: string;
  source: string;
  sha: string;
}

export function luaScript(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source, 'utf8').digest('hex') };
}

export interface RedisConnection {
  /** Runs a script atomically; throws SharedStoreUnavailableError when Redis cannot answer. */
  run(script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  readonly up: boolean;
  /** Called each time Redis becomes reachable (again). */
  onReady(listener: () => void): void;
  /** Resolves when connected, or after `timeoutMs` (then the failure mode applies until it connects). */
  waitReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Where the connection reports reachability and failed commands (governance's metrics). */
interface RedisHealthMetrics {
  sharedStore(up: boolean): void;
  sharedStoreError(operation: string): void;
}

export interface RedisConnectionOptions {
  url: string;
  timeoutMs: number;
  logger: Logger;
  metrics: RedisHealthMetrics;
}

/** Errors that say something about our script or data, not about Redis being reachable. */
function isScriptFault(error: unknown): boolean {
  return (
    error instanceof Error && error.name === 'ReplyError' && /^(ERR|WRONGTYPE)\b/.test(error.message) && !/NOSCRIPT/.test(error.message)
  );
}

/** `redis://user:password@host:6379/0` -> `redis://host:6379/0` for logs. */
function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparseable Redis URL)';
  }
}

export function connectRedis(options: RedisConnectionOptions): RedisConnection {
  const { logger, metrics } = options;
  const where = redactRedisUrl(options.url);
  const Redis = loadRedisClient();
  const client = new Redis(options.url, {
    commandTimeout: options.timeoutMs,
    connectTimeout: Math.max(options.timeoutMs, 1_000),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    lazyConnect: false,
  });
  let up = false;
  let closing = false;
  const readyListeners: Array<() => void> = [];
  metrics.sharedStore(false);
  client.on('ready', () => {
    up = true;
    metrics.sharedStore(true);
    logger.info('Redis reachable: rate limits and budgets are shared', { redis: where });
    for (const listener of readyListeners) listener();
  });
  const down = (reason: string): void => {
    if (closing) return;
    metrics.sharedStore(false);
    if (!up) return;
    up = false;
    logger.error('Redis unreachable: rate limits and budgets follow --redis-failure-mode until it is back', { redis: where, reason });
  };
  client.on('error', (error: Error) => down(error.message));
  client.on('close', () => down('connection closed'));

  return {
    get up() {
      return up;
    },
    onReady(listener) {
      readyListeners.push(listener);
    },
    async run(script, keys, args) {
      try {
        try {
          return await client.evalsha(script.sha, keys.length, ...keys, ...args);
        } catch (error) {
          if (!(error instanceof Error) || !/NOSCRIPT/.test(error.message)) throw error;
          // First use on this server (or after SCRIPT FLUSH / a restart): send the source once.
          return await client.eval(script.source, keys.length, ...keys, ...args);
        }
      } catch (error) {
        if (isScriptFault(error)) throw error;
        metrics.sharedStoreError(script.name);
        throw new SharedStoreUnavailableError(script.name, error);
      }
    },
    waitReady(timeoutMs) {
      if (up) return Promise.resolve(true);
      return new Promise((resolveReady) => {
        const timer = setTimeout(() => resolveReady(false), timeoutMs);
        timer.unref();
        readyListeners.push(() => {
          clearTimeout(timer);
          resolveReady(true);
        });
      });
    },
    async close() {
      closing = true;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
