// The passthrough fast path's contract between the pipeline (pipeline/passthrough.ts) and the
// adapters whose upstream speaks the caller's format with no per-provider rewrite: the caller's
// body goes up as sent (a field or two changed), and the answer comes back as the upstream's
// bytes, of which the gateway reads only what it records.
import type { Usage } from '@switchyard/compiler';
import type { BackendTarget, UpstreamHttpRequest } from './provider-codec.js';

/** A whole answer, as the caller gets it, and what the gateway records of it. */
export interface PassthroughCompletion {
  /** The upstream's bytes, with the fields the gateway rewrites (the model's public name) spliced in. */
  body: Buffer;
  usage: Usage;
  /** The model the upstream says answered (the span's response model). */
  model: string;
}

/** One stream's bytes, forwarded event by event. */
export interface PassthroughStreamRewriter {
  /** What the upstream reported in its usage chunk; undefined until it arrives. */
  readonly usage: Usage | undefined;
  /** The model the upstream says answered, once the first event is in. */
  readonly model: string | undefined;
  /** Whether the last batch pushed may hold an error object (the adapter's decoder then checks it, as on the normal path). */
  readonly batchMayHoldError: boolean;
  /** Whether the first bytes held an SSE `data:` line (an upstream that answered a stream with something else did not). */
  readonly sawEvent: boolean;
  /** Whether the stream said it is complete (a finish reason, or its end marker): one cut before is broken. */
  readonly completed: boolean;
  /** Events forwarded so far. */
  readonly events: number;
  /** Bytes forwarded beyond the events' envelopes: an estimate of the streamed output. */
  readonly contentBytes: number;
  /** The bytes to write for one upstream chunk (possibly none, while an event is incomplete). */
  push(chunk: Buffer): Buffer[];
  /** What is left when the upstream's stream ends. */
  end(): Buffer[];
}

export interface ChatPassthrough {
  /**
   * The caller's parsed body readied for this backend (the model, the fields its dialect names
   * differently), serialized once; undefined when the body needs the dialect's full translation.
   */
  encode(body: Readonly<Record<string, unknown>>, target: BackendTarget, stream: boolean): UpstreamHttpRequest | undefined;
  /** A 2xx whole answer read without a full parse; undefined when it is not the expected shape (decode it the normal way). */
  readCompletion(bytes: Buffer, requestedModel: string): PassthroughCompletion | undefined;
  /** `includeUsage`: whether the caller asked for the usage chunk (the gateway always asks the upstream for it). */
  createStreamRewriter(requestedModel: string, includeUsage: boolean): PassthroughStreamRewriter;
}
