// The in-process semantic index: partitions in a Map kept in least-recently-used order, each a
// list of entries oldest first, searched by brute force (a partition holds at most
// maxEntriesPerPartition, default 256: a few hundred dot products over a few hundred floats, a
// fraction of a millisecond; docs/benchmarks.md has the numbers, and why no ANN index). Bounded
// by an estimate of the heap each entry takes (a test measures it on the heap) and by each
// entry's ttl; over the bound, the least recently used partition gives up its oldest entries.
import type { SemanticEntry, SemanticIndex, SemanticMatch } from './semantic-index.js';
import { similarity } from './vectors.js';

/**
 * Heap taken by one entry besides its floats: the entry object, the Float32Array and its
 * ArrayBuffer headers, the 64-character key string and the list slot, rounded up from what
 * gateway/test/cache/semantic/semantic-memory-bound.test.ts measures.
 */
const ENTRY_OVERHEAD_BYTES = 512;
/** A partition's Map slot, its key string and its list. */
const PARTITION_OVERHEAD_BYTES = 400;

interface StoredEntry extends SemanticEntry {
  expiresAtMs: number;
  bytes: number;
}

interface Partition {
  entries: StoredEntry[];
}

export interface MemorySemanticIndexOptions {
  maxBytes: number;
  nowMs: () => number;
}

export class MemorySemanticIndex implements SemanticIndex {
  private readonly partitions = new Map<string, Partition>();
  private totalBytes = 0;
  private totalEntries = 0;

  constructor(private readonly options: MemorySemanticIndexOptions) {}

  get size(): number {
    return this.totalEntries;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  async search(partitionKey: string, vector: Float32Array, threshold: number): Promise<SemanticMatch | undefined> {
    const partition = this.partitions.get(partitionKey);
    if (partition === undefined) return undefined;
    this.dropExpired(partitionKey, partition);
    if (partition.entries.length === 0) return undefined;
    // Most recently used last.
    this.partitions.delete(partitionKey);
    this.partitions.set(partitionKey, partition);
    let best: SemanticMatch | undefined;
    for (const entry of partition.entries) {
      const score = similarity(vector, entry.vector);
      // Newer entries come later: on a tie the newer answer wins.
      if (score >= threshold && (best === undefined || score >= best.similarity)) best = { answerKey: entry.answerKey, similarity: score };
    }
    return best;
  }

  async add(partitionKey: string, entry: SemanticEntry, ttlMs: number, maxEntries: number): Promise<void> {
    const bytes = entry.vector.byteLength + ENTRY_OVERHEAD_BYTES;
    if (bytes + PARTITION_OVERHEAD_BYTES > this.options.maxBytes) return;
    let partition = this.partitions.get(partitionKey);
    if (partition === undefined) {
      partition = { entries: [] };
      this.totalBytes += PARTITION_OVERHEAD_BYTES;
    } else {
      this.partitions.delete(partitionKey);
      this.dropExpired(partitionKey, partition);
      // The same answer stored again (a refreshed exact entry) replaces its old vector.
      const previous = partition.entries.findIndex((stored) => stored.answerKey === entry.answerKey);
      if (previous !== -1) this.removeAt(partition, previous);
    }
    this.partitions.set(partitionKey, partition);
    partition.entries.push({ vector: entry.vector, answerKey: entry.answerKey, expiresAtMs: this.options.nowMs() + ttlMs, bytes });
    this.totalBytes += bytes;
    this.totalEntries += 1;
    while (partition.entries.length > maxEntries) this.removeAt(partition, 0);
    this.evict();
  }

  async close(): Promise<void> {
    this.partitions.clear();
    this.totalBytes = 0;
    this.totalEntries = 0;
  }

  /** Least recently used partition first, its oldest entries first, until the bytes fit. */
  private evict(): void {
    for (const [key, partition] of this.partitions) {
      while (this.totalBytes > this.options.maxBytes && partition.entries.length > 0) this.removeAt(partition, 0);
      if (partition.entries.length === 0) this.deletePartition(key);
      if (this.totalBytes <= this.options.maxBytes) return;
    }
  }

  private dropExpired(key: string, partition: Partition): void {
    const now = this.options.nowMs();
    for (let i = partition.entries.length - 1; i >= 0; i--) {
      if ((partition.entries[i] as StoredEntry).expiresAtMs <= now) this.removeAt(partition, i);
    }
    if (partition.entries.length === 0) this.deletePartition(key);
  }

  private removeAt(partition: Partition, index: number): void {
    const [removed] = partition.entries.splice(index, 1);
    if (removed === undefined) return;
    this.totalBytes -= removed.bytes;
    this.totalEntries -= 1;
  }

  private deletePartition(key: string): void {
    if (this.partitions.delete(key)) this.totalBytes -= PARTITION_OVERHEAD_BYTES;
  }
}
