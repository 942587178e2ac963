// What the pipeline asks of tracing. Only types live here, so the pipeline can hold an
// optional tracer without loading OpenTelemetry; the implementation (otel-request-tracer.ts)
// is imported dynamically, and only when tracing is configured.
import type { CompiledCredential } from '@switchyard/compiler';
import type { Exchange } from '../../pipeline/exchange.js';
import type { UpstreamFailure } from '../../errors/upstream-failure.js';
import type { RuntimeBackend, RuntimeRoute } from '../../table/runtime-table.js';

/** `gen_ai.operation.name` values the gateway serves. */
export type GenAiOperation = 'chat' | 'embeddings';

export interface RequestTracer {
  /** Opens the SERVER span of one request, continuing the caller's `traceparent` if it sent one. */
  startRequest(exchange: Exchange, operation: GenAiOperation): RequestSpan;
}

export interface RequestSpan {
  /** Opens a CLIENT span for one upstream attempt; the previous one, if still open, ends first. */
  attemptStarted(route: RuntimeRoute, backend: RuntimeBackend, credential: CompiledCredential | undefined): void;
  /** Ends the open attempt span as failed. */
  attemptFailed(failure: UpstreamFailure): void;
  /** The provider-side model that answered (`gen_ai.response.model`). */
  responseModel(model: string): void;
  /** Ends the request span (and an attempt still open: a stream ends with its request). */
  end(exchange: Exchange): void;
}
