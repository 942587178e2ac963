// The response cache as the pipeline sees it: a store, the semantic index beside it, and the
// clock their ttls and ages use.
import type { ResponseCache } from './response-cache.js';
import type { SemanticIndex } from './semantic/semantic-index.js';

export interface ResponseCacheService {
  store: ResponseCache;
  /** Vectors of routes with `spec.cache.semantic`; absent when the semantic cache is off (--semantic-cache-max-bytes 0). */
  semantic?: SemanticIndex;
  nowMs: () => number;
}
