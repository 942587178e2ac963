// Prompt-cache affinity: which backend and credential last served a conversation on a route, so
// its next turn goes there while the provider still holds its prompt prefix in cache. Lives
// beside the health states (TableHolder), so a table reload keeps it; an entry naming a backend
// or credential the new table lacks is simply not used.

/** Most conversations one gateway remembers; the least recently used is forgotten first (docs/routing.md). */
export const AFFINITY_MAX_ENTRIES = 10_000;

export interface AffinityEntry {
  readonly backend: string;
  /** The credential's `ref`; undefined for backends without credentials. */
  readonly credential: string | undefined;
  readonly expiresAtMs: number;
}

export class AffinityStore {
  // A Map iterates in insertion order: re-inserting on every use keeps the least recently used first.
  private readonly entries = new Map<string, AffinityEntry>();

  constructor(private readonly maxEntries = AFFINITY_MAX_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  lookup(routeId: string, conversation: string, nowMs: number): AffinityEntry | undefined {
    const key = affinityKey(routeId, conversation);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Records (or refreshes) the conversation's backend and credential for `ttlMs` from now. */
  remember(routeId: string, conversation: string, backend: string, credential: string | undefined, ttlMs: number, nowMs: number): void {
    const key = affinityKey(routeId, conversation);
    this.entries.delete(key);
    this.entries.set(key, { backend, credential, expiresAtMs: nowMs + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}

function affinityKey(routeId: string, conversation: string): string {
  return `${routeId}\u0000${conversation}`;
}
