// The pipeline's hook points: what an input check, a whole-answer check and a stream transformer
// are. The lists of them are composed in pipeline.ts; a new check or transformer is one module
// exporting one of these and one entry in that file's lists.
import type { ModelCatalog } from '../unified/front-door-codec.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../unified/stream-events.js';
import type { Exchange } from './exchange.js';

/** A decoded request, as input checks see it (operations with no request body have none). */
export type CheckedRequest =
  | { readonly operation: 'chat' | 'count-tokens'; readonly request: UnifiedChatRequest }
  | { readonly operation: 'embeddings'; readonly request: UnifiedEmbeddingsRequest };

/** A whole answer, as output checks see it before it is encoded (streams go through the transformer chain instead). */
export type WholeAnswer =
  | { readonly operation: 'chat'; readonly response: UnifiedChatResponse }
  | { readonly operation: 'embeddings'; readonly response: UnifiedEmbeddingsResponse }
  | { readonly operation: 'count-tokens'; readonly inputTokens: number }
  | { readonly operation: 'list-models' | 'get-model'; readonly models: ModelCatalog };

/**
 * Runs on the unified request after decode and authorize, before admit. Throws (or rejects
 * with) a GatewayError to refuse the request; the caller gets it in its own format. Returns
 * undefined when it decides synchronously, so a synchronous check costs no await.
 */
export type InputCheck = (checked: CheckedRequest, exchange: Exchange) => void | Promise<void>;

/** Runs on a whole answer after its usage is recorded (a refused answer is still paid for), before respond. Throws to refuse. */
export type OutputCheck = (answer: WholeAnswer, exchange: Exchange) => void | Promise<void>;

/**
 * One link of the stream chain between the upstream stream (or a cached answer's replay) and the
 * front door's encoder. `transform` sees each batch of events in order and returns the batch to
 * pass on: the same array when it only watches. `end` runs once after the last batch of a
 * stream that ended cleanly and may add closing events (they pass through the links after it).
 * A transformer throwing ends the stream in-band with the front door's error event.
 */
export interface StreamTransformer {
  /**
   * A promise makes the stream wait for it (guardrail webhook and moderation checks do, rarely);
   * the other links answer synchronously and cost no await.
   */
  transform(events: UnifiedStreamEvent[], exchange: Exchange): UnifiedStreamEvent[] | Promise<UnifiedStreamEvent[]>;
  end?(exchange: Exchange): UnifiedStreamEvent[] | undefined | Promise<UnifiedStreamEvent[] | undefined>;
}

/**
 * Gives one streamed request its transformer, or undefined to stay out of this stream. A
 * transformer without per-request state should return one shared instance (no allocation).
 * `cache` is the request's response-cache session (undefined on routes without a cache and on
 * cache hits). A cache hit's replay passes the chain too, as whole cached answers pass the
 * output checks: a check added after an answer was stored still applies to it.
 */
export type StreamStage = (exchange: Exchange, cache: StreamTapSource | undefined) => StreamTransformer | undefined;

/** The response cache's session as the stream chain sees it (cache-lookup.ts). */
export interface StreamTapSource {
  streamTap(): StreamTransformer | undefined;
}

/** Stages beyond the composed ones, appended at their hook points (tests register toy stages this way). */
export interface ExtraStages {
  inputChecks?: readonly InputCheck[];
  outputChecks?: readonly OutputCheck[];
  /** Placed after the built-in transformers that read the upstream's events, before the cache tap. */
  streamStages?: readonly StreamStage[];
}

/** The composed hook lists one pipeline runs with. */
export interface PipelineStages {
  readonly inputChecks: readonly InputCheck[];
  readonly outputChecks: readonly OutputCheck[];
  readonly streamStages: readonly StreamStage[];
  /** Whether chat may take the passthrough fast path (passthrough.ts decides per request). */
  readonly passthrough: boolean;
}

/** One streamed request's chain, in stage order, without the stages that stay out of it. */
export function streamChain(stages: readonly StreamStage[], exchange: Exchange, cache: StreamTapSource | undefined): StreamTransformer[] {
  const chain: StreamTransformer[] = [];
  for (const stage of stages) {
    const transformer = stage(exchange, cache);
    if (transformer !== undefined) chain.push(transformer);
  }
  return chain;
}
