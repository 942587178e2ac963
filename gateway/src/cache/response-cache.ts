// Where cached answers live: in this process (bounded LRU) or in Redis (shared by replicas).
import type { CachedAnswer } from './cached-answer.js';

export interface ResponseCache {
  /** Undefined on a miss; a store that cannot answer is a miss, never an error. */
  get(key: string): Promise<CachedAnswer | undefined>;
  /** Best effort: a failure to store is logged, never raised. True when the answer was stored. */
  put(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}
