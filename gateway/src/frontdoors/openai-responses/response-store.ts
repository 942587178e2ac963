// Where the Responses front door keeps finished conversations so `previous_response_id` can
// continue them. Entries are scoped: a lookup succeeds only under the scope (the virtual key)
// that stored it, so one tenant can never read another's conversation, even with its id.
//
// The in-memory store here is short-lived and per process: bounded by entry count, total size
// and age, lost on restart and not shared between replicas. With --redis-url the gateway uses
// RedisResponseStore (redis-response-store.ts) instead, so every replica can continue what any
// of them stored; the interface is asynchronous for its sake.

import type { UnifiedMessage } from '../../unified/chat-request.js';

export interface StoredResponse {
  /** The response id (`resp_...`). */
  id: string;
  /**
   * The conversation up to and including this response's output, without `instructions` (which
   * OpenAI does not carry over to the next turn). Shared with later entries: never mutated.
   */
  messages: readonly UnifiedMessage[];
  /**
   * Approximate bytes this entry adds to memory: the messages it appended to the conversation
   * it continued (earlier messages are shared with that entry, not copied).
   */
  sizeBytes: number;
}

export interface ResponseStore {
  /**
   * Undefined when unknown, expired, evicted, or stored under another scope. Rejects with a
   * GatewayError when the store cannot answer (a shared store that is unreachable).
   */
  get(scope: string, id: string): Promise<StoredResponse | undefined>;
  /**
   * Never rejects: a store reports its own failures. The front door does not wait for it (see
   * the ordering argument in redis-response-store.ts), but a store must have issued its write
   * before `put` returns.
   */
  put(scope: string, response: StoredResponse): Promise<void>;
}

export interface InMemoryResponseStoreOptions {
  /** Most entries kept (default 10 000). */
  maxEntries?: number;
  /** Most bytes kept, by each entry's sizeBytes (default 256 MiB). */
  maxBytes?: number;
  /** How long an entry lives after it is stored (default 1 hour). */
  ttlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export const DEFAULT_RESPONSE_STORE_LIMITS = { maxEntries: 10_000, maxBytes: 256 * 1024 * 1024, ttlMs: 60 * 60 * 1000 } as const;

interface Entry {
  response: StoredResponse;
  expiresAt: number;
}

/**
 * A Map in insertion order is also expiry order (one TTL for all), so evicting from its front
 * drops the oldest entries first, whether they expired or a bound was reached.
 */
export class InMemoryResponseStore implements ResponseStore {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: InMemoryResponseStoreOptions = {}) {
    this.maxEntries = positive(options.maxEntries ?? DEFAULT_RESPONSE_STORE_LIMITS.maxEntries, 'maxEntries');
    this.maxBytes = positive(options.maxBytes ?? DEFAULT_RESPONSE_STORE_LIMITS.maxBytes, 'maxBytes');
    this.ttlMs = positive(options.ttlMs ?? DEFAULT_RESPONSE_STORE_LIMITS.ttlMs, 'ttlMs');
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(scope: string, id: string): Promise<StoredResponse | undefined> {
    return Promise.resolve(this.lookUp(scope, id));
  }

  put(scope: string, response: StoredResponse): Promise<void> {
    this.keep(scope, response);
    return Promise.resolve();
  }

  private lookUp(scope: string, id: string): StoredResponse | undefined {
    const key = entryKey(scope, id);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key, entry);
      return undefined;
    }
    return entry.response;
  }

  private keep(scope: string, response: StoredResponse): void {
    const key = entryKey(scope, response.id);
    const existing = this.entries.get(key);
    if (existing !== undefined) this.remove(key, existing);
    // An entry larger than the whole store would evict everything and still not fit.
    if (response.sizeBytes > this.maxBytes) return;
    const now = this.now();
    this.entries.set(key, { response, expiresAt: now + this.ttlMs });
    this.bytes += response.sizeBytes;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes && oldest.expiresAt > now) break;
      this.remove(oldestKey, oldest);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.response.sizeBytes;
  }
}

/** Scope and id joined by a character neither can contain (ids are `resp_` + hex). */
function entryKey(scope: string, id: string): string {
  return `${scope}\u0000${id}`;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`response store ${name} must be a positive number, got ${value}`);
  return value;
}
