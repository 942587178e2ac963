// Stage 5, cache: the exact response cache of routes that opt in (`spec.cache`). Runs after
// admit (a cached request still counts against rate limits; its budget reservation is released
// at zero cost) and before route/call. A hit is answered without an upstream call; a miss
// hands the pipeline a session that stores the answer once it completed normally.
import { emptyUsage } from '@switchyard/compiler';
import { cacheDirectives } from '../cache/cache-directives.js';
import { responseCacheKey } from '../cache/cache-key.js';
import { isCacheableResponse, type CachedAnswer } from '../cache/cached-answer.js';
import type { ResponseCacheService } from '../cache/response-cache-service.js';
import { responseStreamEvents } from '../cache/response-stream-events.js';
import { StreamResponseAccumulator } from '../cache/stream-response-accumulator.js';
import type { RuntimeKey, RuntimeRoute } from '../table/runtime-table.js';
import type { UnifiedChatRequest } from '../unified/chat-request.js';
import type { UnifiedChatResponse } from '../unified/chat-response.js';
import type { Exchange } from './exchange.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { UpstreamEventStream } from './call-upstream.js';
import type { StreamStage, StreamTransformer } from './stages.js';

type CacheOutcome = 'hit' | 'miss' | 'bypass';

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
    await this.service.store.put(this.key, { response, backend: exchange.backend, storedAtMs }, remainingMs);
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
  const scope = { scope: policy.scope, keyId: key.id, keyNamespace: key.compiled.namespace };
  const cacheKey = responseCacheKey({ ...scope, routeId: route.id, request });
  const hit = directives.lookup ? await service.store.get(cacheKey) : undefined;
  const outcome: CacheOutcome = !directives.lookup ? 'bypass' : hit !== undefined ? 'hit' : 'miss';
  exchange.cache = outcome;
  if (hit !== undefined) exchange.cacheAgeSeconds = Math.max(0, Math.floor((service.nowMs() - hit.storedAtMs) / 1000));
  deps.metrics.cacheRequest(route.id, outcome);
  return new CacheSession(service, cacheKey, policy.ttlMs, directives.store, hit);
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
