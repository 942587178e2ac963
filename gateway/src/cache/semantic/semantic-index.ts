// Where the semantic cache keeps its vectors: per partition (requests identical but for the last
// user turn, in one scope), each entry an embedding and the exact-cache key of the answer it
// leads to. The answer itself stays in the exact cache, so a semantic hit serves exactly what an
// exact hit on the original question would, and an answer evicted or expired there is a miss here.

export interface SemanticEntry {
  vector: Float32Array;
  /** The exact-cache key of the stored answer. */
  answerKey: string;
}

export interface SemanticMatch {
  answerKey: string;
  similarity: number;
}

export interface SemanticIndex {
  /** The most similar live entry at or above `threshold`; undefined on a miss. A store that cannot answer is a miss. */
  search(partition: string, vector: Float32Array, threshold: number): Promise<SemanticMatch | undefined>;
  /** Best effort: keeps at most `maxEntries` per partition (the oldest go first); a failure is logged, never raised. */
  add(partition: string, entry: SemanticEntry, ttlMs: number, maxEntries: number): Promise<void>;
  close(): Promise<void>;
}
