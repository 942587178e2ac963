// The in-process store: an LRU bounded by the serialized size of its entries and by each
// entry's ttl. A Map keeps insertion order, so re-inserting on a hit makes it most recent and
// the first key is always the least recently used.
import { MAX_ENTRY_BYTES, parseCachedAnswer, serializeCachedAnswer, type CachedAnswer } from './cached-answer.js';
import type { ResponseCache } from './response-cache.js';

interface Entry {
  text: string;
  bytes: number;
  expiresAtMs: number;
}

export interface MemoryResponseCacheOptions {
  maxBytes: number;
  nowMs: () => number;
}

export class MemoryResponseCache implements ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  constructor(private readonly options: MemoryResponseCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.options.nowMs()) {
      this.remove(key, entry);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return parseCachedAnswer(entry.text);
  }

  async put(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean> {
    const text = serializeCachedAnswer(answer);
    const bytes = Buffer.byteLength(text, 'utf8') + Buffer.byteLength(key, 'utf8');
    if (bytes > MAX_ENTRY_BYTES || bytes > this.options.maxBytes) return false;
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(key, previous);
    this.entries.set(key, { text, bytes, expiresAtMs: this.options.nowMs() + ttlMs });
    this.totalBytes += bytes;
    this.evict();
    return true;
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.totalBytes = 0;
  }

  /** Least recently used first. Expired entries not looked up again leave this way too. */
  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.totalBytes <= this.options.maxBytes) return;
      this.remove(key, entry);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}
