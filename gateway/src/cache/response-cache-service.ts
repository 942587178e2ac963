// The response cache as the pipeline sees it: a store and the clock its ttls and ages use.
import type { ResponseCache } from './response-cache.js';

export interface ResponseCacheService {
  store: ResponseCache;
  nowMs: () => number;
}
