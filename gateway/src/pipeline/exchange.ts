// One request's state as it moves through the stages: what it was resolved to, what was
// tried, what it cost. Stages fill it in; `observe` reads it once at the end.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledPricing, Usage } from '@switchyard/compiler';
import type { GatewayError } from '../errors/gateway-error.js';
import type { CallerIdentity } from '../governance/identity/caller-identity.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedRerankRequest } from '../unified/rerank.js';
import type { UnifiedImageRequest } from '../unified/images.js';
import type { UnifiedAudioRequest } from '../unified/audio.js';
import type { RequestSpan } from '../observe/tracing/request-tracer.js';
import type { RuntimeKey, RuntimeRoute, RuntimeTable } from '../table/runtime-table.js';
import type { GuardrailState } from './guardrails/scan.js';
import type { UnifiedModerationsResponse } from '../unified/moderations.js';

export interface AttemptRecord {
  route: string;
  backend: string;
  /** Upstream HTTP status; 0 when no response arrived. */
  status: number;
  kind: string;
  reason: string;
  /** For the request's log line only, never the caller's message (e.g. the address the egress guard refused). */
  logDetail?: string;
}

/** The client went away; nothing more is sent and no attempt follows. */
export class ClientDisconnectedError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientDisconnectedError';
  }
}

/**
 * The gateway cut the connection itself at the end of its shutdown grace (`--shutdown-grace`):
 * for the pipeline a disconnect like any other (nothing more is sent, no attempt follows), but
 * logged and settled as the gateway's doing, not the caller's.
 */
export class GatewayShutdownError extends ClientDisconnectedError {
  constructor() {
    super();
    this.message = 'connection closed by the gateway at the end of its shutdown grace';
    this.name = 'GatewayShutdownError';
  }
}

/**
 * Why the gateway itself ended a request whose stream had begun: the client took no write for
 * the route's streamIdle, the route's total timeout passed while the gateway waited on the
 * client, or the shutdown grace ran out. Such a stream is settled from what was streamed.
 */
type GatewayCut = 'write_stall' | 'total_timeout' | 'shutdown';

/** What the shutdown tells requests: set when the grace is over and connections are being closed. */
export interface ShutdownState {
  readonly cutting?: boolean;
}

export interface Exchange {
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /**
   * Aborted when the client disconnects before the answer is complete. Listen to it directly
   * (the attempts and waits of the pipeline do); `clientGone.signal` is a standard AbortSignal
   * for APIs that take one, made on first use.
   */
  readonly clientGone: ClientAbortSignal & { readonly signal: AbortSignal };
  /** The table this request started with; a swap does not change it. */
  table: RuntimeTable | undefined;
  /**
   * Settles the request (stage 9) once, called just before the answer's last byte is written and
   * again, as a no-op, at the end of the pipeline: spend is recorded (and journaled) before the
   * caller can hold a complete answer, so a gateway killed right after has it on disk.
   */
  settleBeforeLastByte?: (() => void) | undefined;
  /** Set once stage 9 ran. */
  settled?: boolean;
  key: RuntimeKey | undefined;
  /** Who the caller is (set by authenticate once known, refused callers included); never a token or key value. */
  identity: CallerIdentity | undefined;
  model: string | undefined;
  route: RuntimeRoute | undefined;
  stream: boolean;
  /** Name of the backend that answered. */
  backend: string | undefined;
  /** The ModelRoute rule that chose the answering route's backends, if one matched. */
  routingRule?: string | undefined;
  /** Failed attempts, in order. */
  attempts: AttemptRecord[];
  /** Upstream attempts started, the successful one included. */
  attemptCount: number;
  status: number;
  usage: Usage | undefined;
  /** Price of the backend that answered; undefined when it has none (PriceUnknown). */
  pricing: CompiledPricing | undefined;
  /** Cost of `usage` at `pricing` in nano-dollars, once computed (governance/cost/exchange-cost.ts). */
  costNanos: bigint | undefined;
  /** Headers admission asked for: `x-ratelimit-*`, budget warnings. */
  admissionHeaders: Readonly<Record<string, string>> | undefined;
  error: GatewayError | undefined;
  /** performance.now() when the first streamed event was written. */
  firstEventAt: number | undefined;
  /** Why a stream that had begun ended early. */
  streamFailure: string | undefined;
  /** Set when the gateway itself ended the request early (not the caller, not the upstream). */
  cut: GatewayCut | undefined;
  /** Streamed output so far (text, reasoning, tool names and arguments), in UTF-16 code units. */
  streamedChars: number;
  /** Streamed delta events so far; upstreams send at least one token per delta. */
  streamedDeltas: number;
  /** `usage` is the gateway's estimate (from what was streamed, or of a rerank whose upstream reports no tokens), not the upstream's report. */
  usageEstimated: boolean;
  /** Cohere's rerank billing unit, as the upstream reported it (log line, span). */
  searchUnits?: number;
  /** Images an image request answered with (log line, span). */
  images?: number;
  /** The decoded request, once ingress has it (the estimate of a cut stream's prompt reads it). */
  request: UnifiedChatRequest | UnifiedEmbeddingsRequest | UnifiedRerankRequest | UnifiedImageRequest | UnifiedAudioRequest | undefined;
  /**
   * The caller's parsed body, kept by the OpenAI Chat Completions door's ingress for the
   * passthrough fast path (passthrough.ts), which forwards it instead of re-encoding the request.
   */
  callerBody: Readonly<Record<string, unknown>> | undefined;
  /** The request's trace span; undefined when tracing is off. */
  span: RequestSpan | undefined;
  /** The response cache's outcome; undefined on routes without a cache. */
  cache: CacheOutcome | undefined;
  /** The semantic lookup's outcome (`hit`, `miss`) or why there was none; undefined where it does not apply. */
  cacheSemantic?: string;
  /** Cosine similarity of a semantic hit's last user turn to the stored one. */
  cacheSimilarity?: number;
  /** Seconds since a cached answer was stored, on a hit. */
  cacheAgeSeconds: number | undefined;
  /** Guardrail decisions and placeholders; undefined when no guardrail applies. */
  guardrails: GuardrailState | undefined;
  /** Redacted prompt and answer text for the audit record; only on routes with `spec.audit.includeContent`. */
  auditContent?: { prompt?: string; answer?: string };
  /** Asks a moderation model through this gateway's routes (moderation checks); set by the pipeline. */
  moderate?: Moderator;
  /** POSTs a webhook check's request through the upstream transport and its egress guard; set by the pipeline. */
  postWebhook?: WebhookPoster;
}

/** One webhook POST (JSON body) and its bounded answer; throws on transport failures (an egress refusal among them). */
export type WebhookPoster = (
  url: string,
  body: string,
  timeoutMs: number,
  signal: AbortSignal,
) => Promise<{ status: number; text: string }>;

/** What the response cache did: `x-switchyard-cache` (docs/cache.md). */
export type CacheOutcome = 'hit' | 'semantic-hit' | 'miss' | 'bypass';

/** One moderations call for `exchange`'s key, in-process through the routing, call and retry stages. */
export type Moderator = (exchange: Exchange, model: string, texts: string[], signal: AbortSignal) => Promise<UnifiedModerationsResponse>;

/**
 * What a wait on the client's disconnect listens to: an AbortSignal, or an exchange's ClientGone.
 * Listeners are called once, when the client goes (or at once if it already has, by the caller's check).
 */
export interface ClientAbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A request's client disconnect, as cheap as it can be. Every request used to make an
 * AbortController: its signal is an EventTarget with a listener map, and the attempt's listener
 * on it costs an event-target entry; all of it stayed alive while the request waited on its
 * upstream, so across garbage collections (docs/benchmarks.md, "Survivors per request"). Now
 * the attempts and the retry waits listen here, and an AbortController is made only when a stage
 * asks for `clientGone.signal` (hosted tools, guardrail calls, realtime, batches, the semantic cache). Its
 * listeners run right after these; every listener only settles its own wait, so which list
 * runs first changes nothing a caller sees.
 */
class ClientGone implements ClientAbortSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined = undefined;
  private controller: AbortController | undefined = undefined;

  /** Every listener runs once (the list is dropped when the client goes): `once` is how it always behaves. */
  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (this.aborted) return;
    if (this.listeners === undefined) this.listeners = [listener];
    else this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.listeners;
    if (listeners === undefined) return;
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
    this.controller?.abort(reason);
  }

  /** A standard AbortSignal that aborts with this (already aborted if the client is gone), made on first use. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

export function startExchange(req: IncomingMessage, res: ServerResponse, requestId: string, shutdown?: ShutdownState): Exchange {
  const clientGone = new ClientGone();
  const exchange: Exchange = {
    requestId,
    startedAt: performance.now(),
    req,
    res,
    clientGone,
    table: undefined,
    key: undefined,
    identity: undefined,
    model: undefined,
    route: undefined,
    stream: false,
    backend: undefined,
    attempts: [],
    attemptCount: 0,
    status: 0,
    usage: undefined,
    pricing: undefined,
    costNanos: undefined,
    admissionHeaders: undefined,
    error: undefined,
    firstEventAt: undefined,
    streamFailure: undefined,
    cut: undefined,
    streamedChars: 0,
    streamedDeltas: 0,
    usageEstimated: false,
    request: undefined,
    callerBody: undefined,
    span: undefined,
    cache: undefined,
    cacheAgeSeconds: undefined,
    guardrails: undefined,
    // The optional fields too: stages set them later, and an object literal with every field the
    // request will ever carry keeps one shape instead of growing a property store mid-request.
    settleBeforeLastByte: undefined,
    settled: false,
    routingRule: undefined,
    cacheSemantic: undefined,
    cacheSimilarity: undefined,
    searchUnits: undefined,
    images: undefined,
    auditContent: undefined,
    moderate: undefined,
    postWebhook: undefined,
  };
  // 'close' comes once per response; `on` rather than `once` skips the once-wrapper per request.
  res.on('close', () => {
    if (!res.writableFinished) clientGone.abort(shutdown?.cutting === true ? new GatewayShutdownError() : new ClientDisconnectedError());
  });
  return exchange;
}
