// The gateway's only way out to providers: undici Agents (keep-alive pools per origin) behind
// the egress guard. Redirects are never followed (undici follows none without an interceptor),
// so a 3xx reaches the adapter as an ordinary failure.
import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { UpstreamHeaders, UpstreamHttpRequest } from '../unified/provider-codec.js';
import { deniedLiteralAddress, EgressDeniedError, type EgressGuard } from './egress-guard.js';

export interface UpstreamCallTimeouts {
  connectMs: number;
  /**
   * Longest silence between two body chunks. undici checks it with coarse timers (up to a
   * second late), so callers that need precision (first byte, stream idle) also bound their
   * waits themselves; this is the backstop.
   */
  bodyIdleMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  body: Dispatcher.ResponseData['body'];
}

/** A whole (non-streaming) upstream answer, read into memory by the transport. */
export interface BufferedUpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  /**
   * The body, in one buffer; for a non-2xx status at most `maxErrorBodyBytes` of it. Use
   * `takeBodyText` to read it as text: it drops this reference so the bytes and their text are
   * not both kept alive while the text is parsed.
   */
  body: Buffer;
}

const EMPTY_BODY = Buffer.alloc(0);

/**
 * The body as UTF-8 text, releasing the response's reference to the bytes: a large answer is
 * then held once as text while it is parsed, not as bytes and text together.
 */
export function takeBodyText(response: BufferedUpstreamResponse): string {
  const { body } = response;
  response.body = EMPTY_BODY;
  return body.toString('utf8');
}

export interface BufferedReadOptions {
  /** A 2xx body larger than this fails the call (`UpstreamBodyTooLargeError`). */
  maxBodyBytes: number;
  /** How much of a non-2xx body is kept (for the adapter's error message); the rest is discarded. */
  maxErrorBodyBytes: number;
  /** Called once the status line and headers have arrived (the end of the first-byte wait). */
  onHeaders?: () => void;
}

/** The abort signal shape the buffered path listens to: AttemptAbortEmitter, or anything like it. */
export interface AbortEmitter extends EventEmitter {
  readonly aborted: boolean;
  readonly reason: unknown;
}

export class UpstreamBodyTooLargeError extends Error {
  readonly code = 'SWITCHYARD_UPSTREAM_BODY_TOO_LARGE';
  /** `declaredBytes`: the upstream's content-length, when that alone exceeded the limit (nothing was read). */
  constructor(
    readonly limitBytes: number,
    readonly declaredBytes?: number,
  ) {
    super(
      declaredBytes === undefined
        ? `upstream answer exceeds the ${limitBytes}-byte limit (--max-response-bytes)`
        : `upstream answer declares ${declaredBytes} bytes, over the ${limitBytes}-byte limit (--max-response-bytes)`,
    );
    this.name = 'UpstreamBodyTooLargeError';
  }
}

/**
 * Default cap on a whole (non-streaming) upstream answer: the same bound as a request body
 * (--max-body-bytes). A chat answer is a few MB at most even at the largest output-token
 * limits; the big ones are float embeddings (2,048 inputs of 1,536 dimensions are ~60 MB of
 * JSON), and a deployment that sends such batches raises it. Streams are not buffered and not
 * bounded by it.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

interface UpstreamTransportOptions {
  egressGuard: EgressGuard;
  /** Largest whole (non-streaming) answer the pipeline accepts (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** How long an idle pooled connection is kept (undici's default is 4 s). */
  keepAliveTimeoutMs?: number;
}

interface UpstreamTarget {
  origin: string;
  path: string;
}

const MAX_CACHED_TARGETS = 1024;

function toUpstreamResponse(response: Dispatcher.ResponseData): UpstreamResponse {
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

export class UpstreamTransport {
  // Connect timeouts are a connector property in undici, so there is one Agent per distinct
  // value (routes rarely use more than one or two); each Agent pools per origin.
  private readonly agents = new Map<number, Agent>();
  private readonly targets = new Map<string, UpstreamTarget>();
  /** Largest whole (non-streaming) answer the pipeline reads (--max-response-bytes). */
  readonly maxResponseBytes: number;

  constructor(private readonly options: UpstreamTransportOptions) {
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  /** The egress guard, for upstream connections made outside undici (realtime WebSockets). */
  get egressGuard(): EgressGuard {
    return this.options.egressGuard;
  }

  /**
   * `signal` may be an AbortSignal or, cheaper to listen to, an EventEmitter that emits 'abort'
   * with `aborted` and `reason` set (undici accepts both).
   */
  send(request: UpstreamHttpRequest, timeouts: UpstreamCallTimeouts, signal: AbortSignal | EventEmitter): Promise<UpstreamResponse> {
    const target = this.targetOf(request.url);
    return this.agentFor(timeouts.connectMs)
      .request({
        origin: target.origin,
        path: target.path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        signal,
        // The caller bounds the wait for headers precisely (firstByte); undici's is off.
        headersTimeout: 0,
        bodyTimeout: timeouts.bodyIdleMs,
      })
      .then(toUpstreamResponse);
  }

  /**
   * Sends and reads the whole answer. Non-streaming calls take this path: undici's dispatch
   * API with a handler that collects the chunks costs about 30 µs less CPU per request here
   * than `request()`, whose body is a Readable stream read back through `.text()`.
   */
  sendBuffered(
    request: UpstreamHttpRequest,
    timeouts: UpstreamCallTimeouts,
    signal: AbortEmitter,
    options: BufferedReadOptions,
  ): Promise<BufferedUpstreamResponse> {
    const target = this.targetOf(request.url);
    const agent = this.agentFor(timeouts.connectMs);
    return new Promise<BufferedUpstreamResponse>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      agent.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          headersTimeout: 0,
          bodyTimeout: timeouts.bodyIdleMs,
        },
        new BufferedResponseHandler(signal, options, resolve, reject),
      );
    });
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  /**
   * Origin and path of an upstream URL. Adapters build the same few URLs (one per backend and
   * operation) on every request, so each is parsed once; the cache is cleared if a table full
   * of distinct URLs (or per-request query strings) ever fills it.
   */
  private targetOf(url: string): UpstreamTarget {
    let target = this.targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      if (this.targets.size >= MAX_CACHED_TARGETS) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  private agentFor(connectMs: number): Agent {
    let agent = this.agents.get(connectMs);
    if (agent === undefined) {
      agent = new Agent({
        connect: guardedConnector(this.options.egressGuard, connectMs),
        keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 4_000,
      });
      this.agents.set(connectMs, agent);
    }
    return agent;
  }
}

function guardedConnector(guard: EgressGuard, connectMs: number): buildConnector.connector {
  const connect = buildConnector({ timeout: connectMs, lookup: guard.lookup });
  return (options, callback) => {
    const denied = deniedLiteralAddress(guard, options.hostname);
    if (denied !== undefined) {
      callback(new EgressDeniedError(options.hostname, denied), null);
      return;
    }
    connect(options, callback);
  };
}

/**
 * Collects one response for sendBuffered, honouring the abort signal and the size limits. A 2xx
 * body is kept in one buffer: when the upstream declares its length (the usual case for JSON
 * answers) that buffer is allocated once and each chunk copied in and released as it arrives;
 * a declared length over the limit fails before a byte of the body is read. Without a declared
 * length the chunks are joined once at the end.
 */
class BufferedResponseHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] = [];
  /** The preallocated body when the length is declared; `received` bytes of it are filled. */
  private whole: Buffer | undefined;
  private received = 0;
  private kept = 0;
  private settled = false;
  private readonly onAbort = (): void => {
    const reason = asError(this.signal.reason);
    if (this.controller !== undefined) {
      this.controller.abort(reason);
      return;
    }
    // Still queued for a connection: answer now; onRequestStart aborts the request when it starts.
    if (!this.finish()) this.reject(reason);
  };

  constructor(
    private readonly signal: AbortEmitter,
    private readonly options: BufferedReadOptions,
    private readonly resolve: (response: BufferedUpstreamResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    signal.on('abort', this.onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal.aborted) controller.abort(asError(this.signal.reason));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx informational answers are followed by the real one.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.headers = headers;
    this.options.onHeaders?.();
    if (statusCode >= 300) return;
    const declared = declaredLength(headers['content-length']);
    if (declared === undefined) return;
    if (declared > this.options.maxBodyBytes) {
      controller.abort(new UpstreamBodyTooLargeError(this.options.maxBodyBytes, declared));
      return;
    }
    // undici fails the response if the body runs past or short of its content-length, so the buffer is exactly filled.
    if (declared > 0) this.whole = Buffer.allocUnsafe(declared);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const start = this.received;
    this.received += chunk.length;
    if (this.status >= 200 && this.status < 300) {
      if (this.received > this.options.maxBodyBytes) {
        controller.abort(new UpstreamBodyTooLargeError(this.options.maxBodyBytes));
        return;
      }
      const { whole } = this;
      if (whole !== undefined) {
        if (this.received <= whole.length) {
          chunk.copy(whole, start);
          return;
        }
        // More than declared (undici reports that as an error next): fall back to collecting.
        this.chunks.push(whole.subarray(0, start));
        this.whole = undefined;
      }
      this.chunks.push(chunk);
      return;
    }
    const room = this.options.maxErrorBodyBytes - this.kept;
    if (room <= 0) return;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(kept);
    this.kept += kept.length;
  }

  onResponseEnd(): void {
    if (this.finish()) return;
    this.resolve({ status: this.status, headers: this.headers, body: this.takeBody() });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.finish()) return;
    this.chunks = [];
    this.whole = undefined;
    this.reject(error);
  }

  private takeBody(): Buffer {
    const { chunks, whole } = this;
    this.chunks = [];
    this.whole = undefined;
    // `received` short of the declared length only when undici did not catch it: never return unfilled bytes.
    if (whole !== undefined) return whole.subarray(0, this.received);
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }

  /** True when already settled; otherwise marks it settled and stops listening. */
  private finish(): boolean {
    if (this.settled) return true;
    this.settled = true;
    this.signal.removeListener('abort', this.onAbort);
    return false;
  }
}

const DECIMAL_LENGTH = /^\d{1,15}$/;

/** A content-length header's value when it is one well-formed number. */
function declaredLength(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !DECIMAL_LENGTH.test(value)) return undefined;
  return Number(value);
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
