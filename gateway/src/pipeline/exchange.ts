// One request's state as it moves through the stages: what it was resolved to, what was
// tried, what it cost. Stages fill it in; `observe` reads it once at the end.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledPricing, Usage } from '@switchyard/compiler';
import type { GatewayError } from '../errors/gateway-error.js';
import type { RequestSpan } from '../observe/tracing/request-tracer.js';
import type { RuntimeKey, RuntimeRoute, RuntimeTable } from '../table/runtime-table.js';

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

export interface Exchange {
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Aborted when the client disconnects before the answer is complete. */
  readonly clientAbort: AbortController;
  /** The table this request started with; a swap does not change it. */
  table: RuntimeTable | undefined;
  key: RuntimeKey | undefined;
  model: string | undefined;
  route: RuntimeRoute | undefined;
  stream: boolean;
  /** Name of the backend that answered. */
  backend: string | undefined;
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
  /** The request's trace span; undefined when tracing is off. */
  span: RequestSpan | undefined;
  /** The response cache's outcome; undefined on routes without a cache. */
  cache: 'hit' | 'miss' | 'bypass' | undefined;
  /** Seconds since a cached answer was stored, on a hit. */
  cacheAgeSeconds: number | undefined;
}

export function startExchange(req: IncomingMessage, res: ServerResponse, requestId: string): Exchange {
  const clientAbort = new AbortController();
  const exchange: Exchange = {
    requestId,
    startedAt: performance.now(),
    req,
    res,
    clientAbort,
    table: undefined,
    key: undefined,
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
    span: undefined,
    cache: undefined,
    cacheAgeSeconds: undefined,
  };
  res.once('close', () => {
    if (!res.writableFinished) clientAbort.abort(new ClientDisconnectedError());
  });
  return exchange;
}
