// What the pipeline asks of tracing. Only types live here, so the pipeline can hold an
// optional tracer without loading OpenTelemetry; the implementation (otel-request-tracer.ts)
// is imported dynamically, and only when tracing is configured.
import type { IncomingMessage } from 'node:http';
import type { CompiledCredential, ProviderName, Usage } from '@switchyard/compiler';

/** What tracing reads of a route (the table's RuntimeRoute has it). */
export interface TracedRoute {
  readonly id: string;
}

/** What tracing reads of a backend (the table's RuntimeBackend has it). */
export interface TracedBackend {
  readonly name: string;
  readonly compiled: { readonly provider: ProviderName; readonly model: string };
}

/** What tracing reads of a failed attempt (the providers' UpstreamFailure has it). */
export interface TracedFailure {
  readonly kind: string;
  /** Upstream HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly retryAfterMs?: number | undefined;
}

/**
 * What tracing reads of one request's state. The pipeline's Exchange (pipeline/exchange.ts) has
 * these fields among others; naming them here keeps tracing below the pipeline, the table and
 * the providers.
 */
export interface TracedExchange {
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  readonly req: IncomingMessage;
  readonly model: string | undefined;
  readonly status: number;
  readonly attemptCount: number;
  readonly stream: boolean;
  readonly route: { readonly id: string } | undefined;
  readonly key: { readonly id: string } | undefined;
  /** Who called (governance/identity/caller-identity.ts): kind, subject and, for OIDC, the issuer. */
  readonly identity: { readonly kind: string; readonly subject: string; readonly issuer?: string | undefined } | undefined;
  readonly backend: string | undefined;
  readonly usage: Usage | undefined;
  /** Cohere's rerank billing unit, when the upstream reported it. */
  readonly searchUnits?: number | undefined;
  /** Images an image request answered with. */
  readonly images?: number | undefined;
  readonly costNanos: bigint | undefined;
  readonly cache: string | undefined;
  readonly firstEventAt: number | undefined;
  readonly error: { readonly code?: string | undefined; readonly kind: string } | undefined;
  readonly streamFailure: string | undefined;
  /** Guardrail decisions (pipeline/guardrails/scan.ts); undefined when no guardrail applied. */
  readonly guardrails?: { readonly decisions: readonly TracedGuardrailDecision[] } | undefined;
}

/** One guardrail check that matched: names and outcome only, never the matched text. */
interface TracedGuardrailDecision {
  readonly policy: string;
  readonly check: string;
  readonly action: string;
  readonly on: string;
  readonly failure?: string | undefined;
}

/** `gen_ai.operation.name` values the gateway serves (`rerank` is not in the conventions' list, which is open). */
export type GenAiOperation =
  | 'chat'
  | 'embeddings'
  | 'rerank'
  | 'image_generation'
  | 'transcriptions'
  | 'translations'
  | 'speech'
  | 'batch'
  | 'realtime';

/** One MCP tool call through `/mcp`, as its span records it (never the arguments or the result). */
export interface TracedToolCall {
  /** The prefixed name the caller used. */
  readonly tool: string;
  /** MCPServer id; empty when the name resolved to no server the key may use. */
  readonly server: string;
  readonly keyId: string;
  /** `ok`, `tool_error`, `denied`, ... (mcp/mcp-server.ts). */
  readonly status: string;
  /** performance.now() when the call arrived, and when it was answered. */
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface RequestTracer {
  /** Opens the SERVER span of one request, continuing the caller's `traceparent` if it sent one. */
  startRequest(exchange: TracedExchange, operation: GenAiOperation): RequestSpan;
  /** Records one finished MCP tool call as a SERVER span, continuing the caller's `traceparent`. */
  toolCall(exchange: TracedExchange, call: TracedToolCall): void;
}

export interface RequestSpan {
  /** Opens a CLIENT span for one upstream attempt; the previous one, if still open, ends first. */
  attemptStarted(route: TracedRoute, backend: TracedBackend, credential: CompiledCredential | undefined): void;
  /** Ends the open attempt span as failed. */
  attemptFailed(failure: TracedFailure): void;
  /** The provider-side model that answered (`gen_ai.response.model`). */
  responseModel(model: string): void;
  /** Ends the request span (and an attempt still open: a stream ends with its request). */
  end(exchange: TracedExchange): void;
}
