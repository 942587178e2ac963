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
   * OpenAI does not carry over to the next turn). Never mutated.
   */
  messages: readonly UnifiedMessage[];
}

/** What the front door stores once a turn is answered. */
export interface StoredTurn {
  /** The new response's id. */
  id: string;
  /** The stored response this turn continued, exactly as `get` returned it; undefined for a first turn. */
  previous: StoredResponse | undefined;
  /** What this turn added to the conversation: its input and the model's output. Never mutated. */
  appended: readonly UnifiedMessage[];
}

/** The whole conversation a turn ends: what it continued, then what it added. */
export function conversationOf(turn: StoredTurn): readonly UnifiedMessage[] {
  return turn.previous === undefined ? turn.appended : [...turn.previous.messages, ...turn.appended];
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
  put(scope: string, turn: StoredTurn): Promise<void>;
}

export interface InMemoryResponseStoreOptions {
  /** Most entries kept (default 10 000). */
  maxEntries?: number;
  /** Most bytes kept, counting every turn still reachable once (default 256 MiB). */
  maxBytes?: number;
  /** How long an entry lives after it is stored (default 1 hour). */
  ttlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export const DEFAULT_RESPONSE_STORE_LIMITS = { maxEntries: 10_000, maxBytes: 256 * 1024 * 1024, ttlMs: 60 * 60 * 1000 } as const;

/**
 * One turn's messages and the turn it continued. A conversation is a chain of these, shared by
 * every response of it, so storing turn N costs turn N's messages, not the whole history again.
 *
 * The byte count must follow what the chain keeps alive, not what the map holds: evicting a
 * response whose later turns are still stored frees nothing, because they still reach it. So a
 * turn is counted while anything holds it (its own entry, or a counted turn continuing it) and
 * uncounted when the last holder lets go, which is exactly when it becomes garbage.
 */
interface TurnNode {
  readonly parent: TurnNode | undefined;
  readonly messages: readonly UnifiedMessage[];
  readonly bytes: number;
  /** The entry storing this turn (at most one) plus every counted turn whose parent this is. */
  holders: number;
}

interface Entry {
  node: TurnNode;
  expiresAt: number;
}

/**
 * A Map in insertion order is also expiry order (one TTL for all), so evicting from its front
 * drops the oldest entries first, whether they expired or a bound was reached.
 */
export class InMemoryResponseStore implements ResponseStore {
  private readonly entries = new Map<string, Entry>();
  /** The chain behind each response `get` handed out, so a turn continuing it can share it. */
  private readonly nodesOf = new WeakMap<StoredResponse, TurnNode>();
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

  /** Estimated heap bytes of every turn the store keeps reachable, each counted once. */
  get totalBytes(): number {
    return this.bytes;
  }

  get(scope: string, id: string): Promise<StoredResponse | undefined> {
    return Promise.resolve(this.lookUp(scope, id));
  }

  put(scope: string, turn: StoredTurn): Promise<void> {
    this.keep(scope, turn);
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
    const response: StoredResponse = { id, messages: messagesOf(entry.node) };
    this.nodesOf.set(response, entry.node);
    return response;
  }

  private keep(scope: string, turn: StoredTurn): void {
    const key = entryKey(scope, turn.id);
    const existing = this.entries.get(key);
    if (existing !== undefined) this.remove(key, existing);
    const node = this.nodeFor(turn);
    // A turn larger than the whole store would evict everything and still not fit.
    if (node.bytes > this.maxBytes) return;
    const now = this.now();
    this.hold(node);
    this.entries.set(key, { node, expiresAt: now + this.ttlMs });
    // Evicting an entry whose turn later entries still reach frees nothing; the loop goes on to
    // those entries, so the bound holds on what is really kept. A conversation whose whole
    // history exceeds maxBytes therefore cannot be kept at all (its newest entry goes too).
    for (const [oldestKey, oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes && oldest.expiresAt > now) break;
      this.remove(oldestKey, oldest);
    }
  }

  /** The new turn's node, linked to the chain of the response it continued when this store handed that out. */
  private nodeFor(turn: StoredTurn): TurnNode {
    const parent = turn.previous === undefined ? undefined : this.nodesOf.get(turn.previous);
    // A previous response this store did not hand out has no chain to share: keep it whole.
    const messages = parent === undefined ? conversationOf(turn) : turn.appended;
    return { parent, messages, bytes: TURN_OVERHEAD_BYTES + estimateHeapBytes(messages), holders: 0 };
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.release(entry.node);
  }

  /** One more holder; a turn that had none is counted again, and holds its parent in turn. */
  private hold(node: TurnNode): void {
    for (let turn: TurnNode | undefined = node; turn !== undefined; turn = turn.parent) {
      turn.holders += 1;
      if (turn.holders > 1) return;
      this.bytes += turn.bytes;
    }
  }

  /** One holder fewer; a turn left with none is uncounted (it is garbage now) and lets go of its parent. */
  private release(node: TurnNode): void {
    for (let turn: TurnNode | undefined = node; turn !== undefined; turn = turn.parent) {
      turn.holders -= 1;
      if (turn.holders > 0) return;
      this.bytes -= turn.bytes;
    }
  }
}

function messagesOf(node: TurnNode): UnifiedMessage[] {
  const chain: TurnNode[] = [];
  for (let turn: TurnNode | undefined = node; turn !== undefined; turn = turn.parent) chain.push(turn);
  return chain.reverse().flatMap((turn) => turn.messages);
}

/** The entry, its key and the node themselves: small next to any message, but a flood of tiny turns must still count. */
const TURN_OVERHEAD_BYTES = 256;

// V8 on 64-bit without pointer compression (Node's build): a string is a 16-byte header plus
// one byte per character, or two when any character is above U+00FF; an object a 24-byte header
// plus a slot per property (more when properties are added after creation); an array a 32-byte
// object plus a 16-byte backing store plus a slot per element. The constants round these up, so
// the estimate errs high; property names are shared by every object of a shape and not counted.
const STRING_BYTES = 24;
const OBJECT_BYTES = 48;
const ARRAY_BYTES = 56;
const SLOT_BYTES = 16;
const TWO_BYTE_CHARACTER = /[\u0100-\uffff]/;

/**
 * Approximate heap bytes of plain message data, walked without recursion. This, not the JSON
 * size, is what the byte bound counts: JSON counts a non-Latin-1 text at up to half what V8
 * keeps, and a message of many tiny parts at a fraction of its objects.
 */
function estimateHeapBytes(value: unknown): number {
  let total = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      total += STRING_BYTES + item.length * (TWO_BYTE_CHARACTER.test(item) ? 2 : 1);
    } else if (Array.isArray(item)) {
      total += ARRAY_BYTES + item.length * SLOT_BYTES;
      for (const element of item) pending.push(element);
    } else if (typeof item === 'object' && item !== null) {
      const values = Object.values(item);
      total += OBJECT_BYTES + values.length * SLOT_BYTES;
      for (const element of values) pending.push(element);
    } else {
      total += SLOT_BYTES;
    }
  }
  return total;
}

/** Scope and id joined by a character neither can contain (ids are `resp_` + hex). */
function entryKey(scope: string, id: string): string {
  return `${scope}\u0000${id}`;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`response store ${name} must be a positive number, got ${value}`);
  return value;
}
