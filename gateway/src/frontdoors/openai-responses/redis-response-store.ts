// The shared response store: with --redis-url every replica keeps finished conversations in
// Redis, so a `previous_response_id` follow-up continues wherever the Service sends it. Each
// entry is the whole conversation up to that response, as JSON under
// `switchyard:responses:<sha256(scope)>:<id>` with `SET ... PX ttl`. The scope is the virtual
// key's identity (`namespace/name`, never key material), hashed so key names stay uniform; a
// lookup under another scope reads another key and finds nothing. Each key holds its whole
// conversation and nothing is shared between keys, so what Redis counts is what it keeps (unlike
// the in-memory store, whose responses share earlier turns; see response-store.ts).
//
// Why the write is not awaited, and why a follow-up still finds it: `put` is called while the
// answer is encoded, before its bytes are handed to the caller's socket, and it hands the SET to
// the connection before returning; the connection writes it to Redis later in the same turn of
// the event loop (ioredis batches commands until then), microseconds after the answer. A caller
// learns the response id only from that answer, so a follow-up exists only after the answer
// crossed the network to the caller, the caller sent a new request, and a replica read it and
// sent its GET: at least a network round trip after the SET left. One Redis server applies
// commands in the order it receives them, so the GET normally finds the entry. Not always: the
// answer's bytes reach the socket within the turn and the SET only at its end, and a replica
// starved of CPU (a throttled pod, a loaded node; the replica test saw it on a busy 2-core
// machine) can be descheduled in between while the caller and another replica run ahead. So a
// lookup that misses reads again a few times, MISS_RECHECK_DELAYS_MS apart (at most ~150 ms,
// paid only by follow-ups naming an id Redis does not have yet or at all). (The script is
// loaded as soon as Redis is reachable, so a write never waits for a NOSCRIPT round trip except
// in the moment after Redis itself restarted.) Awaiting the write would hold every answer back
// by a Redis round trip to close a window this rare. A streamed answer is
// stored from its final event, so it can be continued once the stream has ended, as in memory.
//
// Failures: a lookup while Redis is unreachable answers 503 `response_store_unavailable` (the
// conversation may well exist; "not found" would be a lie). A failed or refused (too large)
// write is logged at most once per WARN_INTERVAL_MS with a running count; failed Redis calls are
// also counted in switchyard_redis_errors_total{operation="responses-store"}.
import { createHash } from 'node:crypto';
import { GatewayError } from '../../errors/gateway-error.js';
import { luaScript, type RedisConnection } from '../../redis/redis-connection.js';
import { SharedStoreUnavailableError } from '../../redis/shared-store-unavailable.js';
import type { Logger } from '@switchyard/compiler';
import { RateLimitedWarning } from '../../observe/rate-limited-warning.js';
import {
  conversationOf,
  DEFAULT_RESPONSE_STORE_LIMITS,
  type ResponseStore,
  type StoredResponse,
  type StoredTurn,
} from './response-store.js';
import { parseStoredConversation, serializeStoredConversation } from './stored-conversation-json.js';

/** Re-reads of a missed lookup, in case its SET is still on its way (see the top of this file). */
const MISS_RECHECK_DELAYS_MS = [10, 40, 100];

const REDIS_RESPONSES_PREFIX = 'switchyard:responses:';
/** Entries larger than this, serialized, are not stored (a conversation that long is refused by most models anyway). */
const MAX_STORED_CONVERSATION_BYTES = 8 * 1024 * 1024;
const WARN_INTERVAL_MS = 30_000;

// One script for both directions, so loading it for a lookup (or the warm-up) also readies writes.
const RESPONSES_SCRIPT = luaScript(
  'responses-store',
  "if ARGV[1] == 'set' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return redis.call('GET', KEYS[1])",
);

export interface RedisResponseStoreOptions {
  /** Governance's connection: one per gateway, no offline queue, so a dead Redis fails fast. */
  redis: RedisConnection;
  logger: Logger;
  /** How long an entry lives after it is stored (default 1 hour, as in memory). */
  ttlMs?: number;
  /** Largest serialized entry stored (default 8 MiB). */
  maxEntryBytes?: number;
}

function redisResponseKey(scope: string, id: string): string {
  return `${REDIS_RESPONSES_PREFIX}${createHash('sha256').update(scope, 'utf8').digest('hex')}:${id}`;
}

export class RedisResponseStore implements ResponseStore {
  private readonly redis: RedisConnection;
  private readonly ttlMs: number;
  private readonly maxEntryBytes: number;
  private readonly failedWrites: RateLimitedWarning;
  private readonly oversized: RateLimitedWarning;
  private readonly failedLookups: RateLimitedWarning;
  private readonly unreadable: RateLimitedWarning;

  constructor(options: RedisResponseStoreOptions) {
    this.redis = options.redis;
    this.ttlMs = positive(options.ttlMs ?? DEFAULT_RESPONSE_STORE_LIMITS.ttlMs, 'ttlMs');
    this.maxEntryBytes = positive(options.maxEntryBytes ?? MAX_STORED_CONVERSATION_BYTES, 'maxEntryBytes');
    const { logger } = options;
    this.failedWrites = new RateLimitedWarning(
      logger,
      'responses store: a conversation could not be stored in Redis; previous_response_id will not find it',
      WARN_INTERVAL_MS,
    );
    this.oversized = new RateLimitedWarning(
      logger,
      'responses store: a conversation is too large to store; previous_response_id will not find it',
      WARN_INTERVAL_MS,
    );
    this.failedLookups = new RateLimitedWarning(
      logger,
      'responses store: Redis unavailable; previous_response_id requests answer 503 until it is back',
      WARN_INTERVAL_MS,
    );
    this.unreadable = new RateLimitedWarning(
      logger,
      'responses store: an entry in Redis is not a stored conversation; treated as not found',
      WARN_INTERVAL_MS,
    );
    this.redis.onReady(() => this.loadScript());
    if (this.redis.up) this.loadScript();
  }

  /** Writes that failed or were refused for size since start. */
  get unstoredCount(): number {
    return this.failedWrites.total + this.oversized.total;
  }

  async get(scope: string, id: string): Promise<StoredResponse | undefined> {
    let text = await this.read(scope, id);
    for (const delayMs of MISS_RECHECK_DELAYS_MS) {
      if (typeof text === 'string') break;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      text = await this.read(scope, id);
    }
    if (typeof text !== 'string') return undefined;
    const parsed = parseStoredConversation(text);
    if ('problem' in parsed) {
      this.unreadable.report({ problem: parsed.problem });
      return undefined;
    }
    return parsed.response.id === id ? parsed.response : undefined;
  }

  private async read(scope: string, id: string): Promise<unknown> {
    try {
      return await this.redis.run(RESPONSES_SCRIPT, [redisResponseKey(scope, id)], ['get']);
    } catch (error) {
      if (!(error instanceof SharedStoreUnavailableError)) throw error;
      this.failedLookups.report({ error: error.message });
      throw new GatewayError(
        'no_backend',
        `The response store (Redis) is unreachable, so previous_response_id '${id}' cannot be looked up right now; retry shortly.`,
        {
          code: 'response_store_unavailable',
          param: 'previous_response_id',
          retryAfterSeconds: 1,
          cause: error,
        },
      );
    }
  }

  put(scope: string, turn: StoredTurn): Promise<void> {
    const text = serializeStoredConversation({ id: turn.id, messages: conversationOf(turn) });
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.maxEntryBytes) {
      this.oversized.report({ bytes, maxBytes: this.maxEntryBytes });
      return Promise.resolve();
    }
    // `run` hands the command to the connection before it first awaits, so the write is issued
    // by the time this returns (the ordering argument above relies on it).
    return this.redis.run(RESPONSES_SCRIPT, [redisResponseKey(scope, turn.id)], ['set', text, Math.max(1, Math.round(this.ttlMs))]).then(
      () => undefined,
      (error: unknown) => this.failedWrites.report({ error: error instanceof Error ? error.message : String(error) }),
    );
  }

  /** A lookup of a key nobody writes: loads the script into Redis's cache ahead of the first write. */
  private loadScript(): void {
    this.redis.run(RESPONSES_SCRIPT, [`${REDIS_RESPONSES_PREFIX}script-load`], ['get']).catch(() => undefined);
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Redis response store ${name} must be a positive number, got ${value}`);
  return value;
}
