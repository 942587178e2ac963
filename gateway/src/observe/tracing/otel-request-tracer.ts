// Request and attempt spans, made by hand from the exchange (no auto-instrumentation). Loaded
// only by start-tracing.ts through a dynamic import, so this static import of the API costs
// nothing when tracing is off.
//
// Never recorded: prompt or response content, keys (virtual or upstream), key digests,
// Authorization or any other request header, query strings (Gemini clients may put `key=` there).
import { formatNanosAsUsd, type CompiledCredential } from '@switchyard/compiler';
import {
  defaultTextMapGetter,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { genAiProviderName } from './gen-ai-provider-name.js';
import type {
  GenAiOperation,
  RequestSpan,
  RequestTracer,
  TracedBackend,
  TracedExchange,
  TracedFailure,
  TracedRoute,
  TracedToolCall,
} from './request-tracer.js';

// performance.now() values are converted to epoch milliseconds so span times never depend on
// the SDK guessing which clock a number came from.
const TIME_ORIGIN_MS = performance.timeOrigin;

export function createOtelRequestTracer(tracer: Tracer): RequestTracer {
  return {
    startRequest(exchange, operation) {
      const parent = propagation.extract(ROOT_CONTEXT, exchange.req.headers, defaultTextMapGetter);
      const span = tracer.startSpan(
        operation,
        {
          kind: SpanKind.SERVER,
          startTime: TIME_ORIGIN_MS + exchange.startedAt,
          attributes: {
            'gen_ai.operation.name': operation,
            'http.request.method': exchange.req.method ?? 'POST',
            'url.path': pathOf(exchange.req.url),
            'switchyard.request_id': exchange.requestId,
          },
        },
        parent,
      );
      return new OtelRequestSpan(tracer, span, trace.setSpan(parent, span), operation);
    },
    toolCall(exchange: TracedExchange, call: TracedToolCall) {
      // MCP semantic conventions: `{mcp.method.name} {gen_ai.tool.name}`, operation execute_tool.
      const parent = propagation.extract(ROOT_CONTEXT, exchange.req.headers, defaultTextMapGetter);
      const attributes: Attributes = {
        'mcp.method.name': 'tools/call',
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': call.tool,
        'switchyard.virtual_key': call.keyId,
        'switchyard.request_id': exchange.requestId,
        'switchyard.mcp.status': call.status,
      };
      if (call.server !== '') attributes['switchyard.mcp.server'] = call.server;
      const span = tracer.startSpan(
        `tools/call ${call.tool}`,
        { kind: SpanKind.SERVER, startTime: TIME_ORIGIN_MS + call.startedAt, attributes },
        parent,
      );
      recordGuardrails(span, exchange);
      if (call.status !== 'ok') {
        span.setAttribute('error.type', call.status);
        span.setStatus({ code: SpanStatusCode.ERROR, message: call.status });
      }
      span.end(TIME_ORIGIN_MS + call.endedAt);
    },
  };
}

class OtelRequestSpan implements RequestSpan {
  private attempt: Span | undefined;
  /** `gen_ai.provider.name` of the latest attempt: the answering backend's when one answered. */
  private provider: string | undefined;
  private answeredModel: string | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly context: Context,
    private readonly operation: GenAiOperation,
  ) {}

  attemptStarted(route: TracedRoute, backend: TracedBackend, credential: CompiledCredential | undefined): void {
    this.attempt?.end();
    const provider = genAiProviderName(backend.compiled.provider);
    this.provider = provider;
    if (!this.span.isRecording()) {
      this.attempt = undefined;
      return;
    }
    const attributes: Attributes = {
      'gen_ai.operation.name': this.operation,
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': backend.compiled.model,
      'switchyard.route': route.id,
      'switchyard.backend': backend.name,
    };
    // The Secret reference (namespace/name/key), which names the credential without revealing it.
    if (credential !== undefined) attributes['switchyard.credential'] = credential.ref;
    this.attempt = this.tracer.startSpan(
      `${this.operation} ${backend.compiled.model}`,
      { kind: SpanKind.CLIENT, attributes },
      this.context,
    );
  }

  attemptFailed(failure: TracedFailure): void {
    const attempt = this.attempt;
    if (attempt === undefined) return;
    this.attempt = undefined;
    attempt.setAttribute('error.type', failure.kind);
    if (failure.status > 0) attempt.setAttribute('http.response.status_code', failure.status);
    if (failure.retryAfterMs !== undefined) attempt.setAttribute('switchyard.retry_after_ms', failure.retryAfterMs);
    attempt.setStatus({ code: SpanStatusCode.ERROR, message: failure.kind });
    attempt.end();
  }

  responseModel(model: string): void {
    this.answeredModel = model;
  }

  end(exchange: TracedExchange): void {
    const span = this.span;
    const endTime = TIME_ORIGIN_MS + performance.now();
    if (!span.isRecording()) {
      this.attempt?.end(endTime);
      span.end(endTime);
      return;
    }
    if (exchange.model !== undefined) {
      span.updateName(`${this.operation} ${exchange.model}`);
      span.setAttribute('gen_ai.request.model', exchange.model);
    }
    const attributes: Attributes = {
      'http.response.status_code': exchange.status,
      'switchyard.attempts': exchange.attemptCount,
      'switchyard.stream': exchange.stream,
    };
    if (exchange.route !== undefined) attributes['switchyard.route'] = exchange.route.id;
    if (exchange.key !== undefined) attributes['switchyard.virtual_key'] = exchange.key.id;
    if (exchange.identity !== undefined) {
      attributes['switchyard.identity.kind'] = exchange.identity.kind;
      attributes['switchyard.identity.subject'] = exchange.identity.subject;
      if (exchange.identity.issuer !== undefined) attributes['switchyard.identity.issuer'] = exchange.identity.issuer;
    }
    if (exchange.backend !== undefined) {
      attributes['switchyard.backend'] = exchange.backend;
      if (this.provider !== undefined) attributes['gen_ai.provider.name'] = this.provider;
    }
    if (this.answeredModel !== undefined) attributes['gen_ai.response.model'] = this.answeredModel;
    if (exchange.usage !== undefined) {
      attributes['gen_ai.usage.input_tokens'] = exchange.usage.inputTokens;
      attributes['gen_ai.usage.output_tokens'] = exchange.usage.outputTokens;
    }
    if (exchange.searchUnits !== undefined) attributes['switchyard.search_units'] = exchange.searchUnits;
    if (exchange.images !== undefined) attributes['switchyard.images'] = exchange.images;
    if (exchange.costNanos !== undefined) attributes['switchyard.cost_usd'] = formatNanosAsUsd(exchange.costNanos);
    if (exchange.cache !== undefined) attributes['switchyard.cache'] = exchange.cache;
    span.setAttributes(attributes);
    recordGuardrails(span, exchange);
    if (exchange.firstEventAt !== undefined) {
      span.addEvent(
        'gen_ai.first_token',
        { 'switchyard.time_to_first_token_ms': Math.round((exchange.firstEventAt - exchange.startedAt) * 1000) / 1000 },
        TIME_ORIGIN_MS + exchange.firstEventAt,
      );
    }
    const failed = failureOf(exchange);
    if (failed !== undefined) {
      span.setAttribute('error.type', failed);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failed });
    } else if (exchange.error !== undefined && exchange.error.code !== undefined) {
      // A caller error (4xx) is not a server failure (HTTP semantic conventions), but its code is
      // what an operator searches for.
      span.setAttribute('switchyard.error_code', exchange.error.code);
    }
    const attempt = this.attempt;
    if (attempt !== undefined) {
      this.attempt = undefined;
      if (exchange.streamFailure === undefined && exchange.backend !== undefined) attempt.end(endTime);
      else {
        // Still open at the end without having answered: the request ended around it (the
        // client left, or the gateway refused the upstream's answer).
        attempt.setStatus({ code: SpanStatusCode.ERROR, message: failed ?? 'abandoned' });
        attempt.end(endTime);
      }
    }
    span.end(endTime);
  }
}

const GUARDRAIL_RANK: Record<string, number> = { log: 1, redact: 2, block: 3 };

/**
 * Guardrail decisions (docs/guardrails.md, "Observability"): one `switchyard.guardrail` event per
 * decision with its policy, check, action, direction and failure, and on the span the strongest
 * action taken and the decisions as parallel arrays, so a trace search can filter on them. Names
 * and outcomes only: the matched text is never on the span.
 */
function recordGuardrails(span: Span, exchange: TracedExchange): void {
  const decisions = exchange.guardrails?.decisions;
  if (decisions === undefined || decisions.length === 0) return;
  let strongest = 'log';
  for (const decision of decisions) {
    const attributes: Attributes = {
      'switchyard.guardrail.policy': decision.policy,
      'switchyard.guardrail.check': decision.check,
      'switchyard.guardrail.action': decision.action,
      'switchyard.guardrail.direction': decision.on,
    };
    if (decision.failure !== undefined) attributes['switchyard.guardrail.failure'] = decision.failure;
    span.addEvent('switchyard.guardrail', attributes);
    if ((GUARDRAIL_RANK[decision.action] ?? 0) > (GUARDRAIL_RANK[strongest] ?? 0)) strongest = decision.action;
  }
  span.setAttributes({
    'switchyard.guardrail.action': strongest,
    'switchyard.guardrail.policies': decisions.map((d) => d.policy),
    'switchyard.guardrail.checks': decisions.map((d) => d.check),
    'switchyard.guardrail.actions': decisions.map((d) => d.action),
    'switchyard.guardrail.directions': decisions.map((d) => d.on),
    'switchyard.guardrail.failures': decisions.map((d) => d.failure ?? ''),
  });
}

/** The error kind/code of a failed request: a 5xx, or a stream that broke after it began. */
function failureOf(exchange: TracedExchange): string | undefined {
  if (exchange.status >= 500) return exchange.error?.code ?? exchange.error?.kind ?? `${exchange.status}`;
  if (exchange.streamFailure !== undefined) return 'stream_broken';
  return undefined;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const queryStart = url.indexOf('?');
  return queryStart < 0 ? url : url.slice(0, queryStart);
}
