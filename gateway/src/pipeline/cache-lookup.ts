// Stage 5, cache: the response cache of routes that opt in (`spec.cache`). Runs after admit (a
// cached request still counts against rate limits; its budget reservation is released at zero
// cost) and before route/call. The exact lookup comes first; only on an exact miss, on routes
// with `spec.cache.semantic`, the last user turn is embedded and compared with the stored ones
// of its partition (docs/cache.md, "Semantic lookup"). A hit of either kind is answered without
// an upstream call; a miss hands the pipeline a session that stores the answer once it completed
// normally, and its vector beside it.
import { emptyUsage, type CompiledSemanticCache } from '@switchyard/compiler';
import { cacheDirectives, type CacheDirectives } from '../cache/cache-directives.js';
import { responseCacheKey, type CacheKeyInput } from '../cache/cache-key.js';
import { isCacheableResponse, type CachedAnswer } from '../cache/cached-answer.js';
import type { ResponseCacheService } from '../cache/response-cache-service.js';
import { responseStreamEvents } from '../cache/response-stream-events.js';
import type { SemanticIndex } from '../cache/semantic/semantic-index.js';
import { semanticRequest } from '../cache/semantic/semantic-request.js';
import { effectiveThreshold } from '../cache/semantic/threshold-header.js';
import { unitVector } from '../cache/semantic/vectors.js';
import { StreamResponseAccumulator } from '../cache/stream-response-accumulator.js';
import type { RuntimeKey, RuntimeRoute } from '../table/runtime-table.js';
import type { UnifiedChatRequest } from '../unified/chat-request.js';
import type { UnifiedChatResponse } from '../unified/chat-response.js';
import { embedForCache } from './cache-embedding.js';
import type { CacheOutcome, Exchange } from './exchange.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { UpstreamEventStream } from './call-upstream.js';
import type { StreamStage, StreamTransformer } from './stages.js';

/** What a semantic miss stores beside the answer: its vector, in its partition. */
interface SemanticStore {
  index: SemanticIndex;
  partition: string;
  vector: Float32Array;
  maxEntries: number;
}

/** One request's dealings with the cache. */
export class CacheSession {
  private accumulator: StreamResponseAccumulator | undefined;
  private answeredAtMs: number | undefined;

  constructor(
    private readonly service: ResponseCacheService,
    private readonly key: string,
    private readonly ttlMs: number,
    private readonly storing: boolean,
    readonly hit: CachedAnswer | undefined,
    private readonly semantic?: SemanticStore,
  ) {}

  /** A tap that accumulates the streamed answer as sent; undefined when nothing will be stored. */
  streamTap(): StreamTransformer | undefined {
    if (!this.storing) return undefined;
    const accumulator = (this.accumulator = new StreamResponseAccumulator());
    return {
      transform(events) {
        for (const event of events) accumulator.add(event);
        return events;
      },
    };
  }

  /**
   * The moment the answer was complete, before it is sent: the store happens after the caller
   * has it, and the entry's age must count from the answer, not from when the write got its turn.
   */
  noteAnswered(): void {
    if (this.storing) this.answeredAtMs = this.service.nowMs();
  }

  /** Stores a whole answer, or the streamed one when the stream ended cleanly. */
  async store(exchange: Exchange, whole?: UnifiedChatResponse): Promise<void> {
    if (!this.storing || exchange.backend === undefined) return;
    if (exchange.streamFailure !== undefined || exchange.error !== undefined || exchange.status !== 200) return;
    const response = whole ?? this.accumulator?.response();
    if (response === undefined || !isCacheableResponse(response)) return;
    // A stream is complete only when it ended, just before this call; a whole answer was complete before it was sent.
    const storedAtMs = whole !== undefined ? (this.answeredAtMs ?? this.service.nowMs()) : this.service.nowMs();
    // The ttl runs from the answer too: what is left of it when the write gets its turn.
    const remainingMs = storedAtMs + this.ttlMs - this.service.nowMs();
    if (remainingMs <= 0) return;
    const stored = await this.service.store.put(this.key, { response, backend: exchange.backend, storedAtMs }, remainingMs);
    // After the answer, and only when it was stored: the vector leads to it, so it must not be
    // found before the answer is there, nor fill a partition slot leading nowhere.
    const semantic = this.semantic;
    if (stored && semantic !== undefined)
      await semantic.index.add(semantic.partition, { vector: semantic.vector, answerKey: this.key }, remainingMs, semantic.maxEntries);
  }
}

/** Undefined for routes without `cache` (or a gateway without a cache store): nothing changes. */
export async function lookUpCache(
  deps: PipelineDeps,
  exchange: Exchange,
  key: RuntimeKey,
  route: RuntimeRoute,
  request: UnifiedChatRequest,
): Promise<CacheSession | undefined> {
  const policy = route.compiled.cache;
  const service = deps.cache;
  if (policy === undefined || service === undefined) return undefined;
  const directives = cacheDirectives(exchange.req.headers);
  const semanticPolicy = service.semantic === undefined ? undefined : policy.semantic;
  // Checked before any lookup: a malformed header is refused even when the exact cache would have answered.
  const threshold = semanticPolicy === undefined ? undefined : effectiveThreshold(exchange.req.headers, semanticPolicy.threshold);
  const keyInput: CacheKeyInput = { scope: policy.scope, keyId: key.id, keyNamespace: key.compiled.namespace, routeId: route.id, request };
  const cacheKey = responseCacheKey(keyInput);
  let hit = directives.lookup ? await service.store.get(cacheKey) : undefined;
  let outcome: CacheOutcome = !directives.lookup ? 'bypass' : hit !== undefined ? 'hit' : 'miss';
  let semanticStore: SemanticStore | undefined;
  if (outcome === 'miss' && semanticPolicy !== undefined && service.semantic !== undefined && threshold !== undefined) {
    const semantic = await lookUpSemantic(deps, exchange, key, keyInput, service, service.semantic, semanticPolicy, threshold, directives);
    if (semantic.hit !== undefined) {
      hit = semantic.hit;
      outcome = 'semantic-hit';
    }
    semanticStore = semantic.store;
  }
  exchange.cache = outcome;
  if (hit !== undefined) exchange.cacheAgeSeconds = Math.max(0, Math.floor((service.nowMs() - hit.storedAtMs) / 1000));
  deps.metrics.cacheRequest(route.id, outcome);
  return new CacheSession(service, cacheKey, policy.ttlMs, directives.store, hit, semanticStore);
}

/**
 * After an exact miss: embed the last user turn, find the closest stored one of the partition at
 * or above the threshold, and fetch the answer it leads to from the exact store. A miss returns
 * what to store beside the fresh answer; a request the rules keep out returns nothing.
 */
async function lookUpSemantic(
  deps: PipelineDeps,
  exchange: Exchange,
  key: RuntimeKey,
  keyInput: CacheKeyInput,
  service: ResponseCacheService,
  index: SemanticIndex,
  policy: CompiledSemanticCache,
  threshold: number,
  directives: CacheDirectives,
): Promise<{ hit?: CachedAnswer; store?: SemanticStore }> {
  const plan = semanticRequest(keyInput, policy);
  if ('skip' in plan) {
    exchange.cacheSemantic = plan.skip;
    return {};
  }
  const embedded = await embedForCache(deps, exchange, key, policy.embeddingRouteId, plan.text);
  const vector = 'vector' in embedded ? unitVector(embedded.vector) : undefined;
  if (vector === undefined) {
    exchange.cacheSemantic = 'failed' in embedded ? embedded.failed : 'embedding_failed';
    return {};
  }
  const store = directives.store ? { index, partition: plan.partition, vector, maxEntries: policy.maxEntriesPerPartition } : undefined;
  const match = await index.search(plan.partition, vector, threshold);
  const hit = match === undefined ? undefined : await service.store.get(match.answerKey);
  if (match === undefined || hit === undefined) {
    exchange.cacheSemantic = 'miss';
    return store === undefined ? {} : { store };
  }
  exchange.cacheSemantic = 'hit';
  exchange.cacheSimilarity = match.similarity;
  return { hit };
}

/** Stream stage: the cache's tap, last in the chain so the cache keeps what the caller was sent. */
export const tapForResponseCache: StreamStage = (_exchange, cache) => cache?.streamTap();

/** Records the stored answer as the request's: no upstream call, nothing charged. */
export function answerFromCache(exchange: Exchange, hit: CachedAnswer): void {
  exchange.backend = hit.backend;
  exchange.pricing = undefined;
  exchange.usage = emptyUsage();
  exchange.costNanos = 0n;
  exchange.span?.responseModel(hit.response.model);
}

/** A stored answer replayed as a stream. */
export function cachedStream(hit: CachedAnswer): UpstreamEventStream {
  return { first: responseStreamEvents(hit.response), next: async () => null, close: () => undefined };
}
