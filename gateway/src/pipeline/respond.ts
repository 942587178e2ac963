// Stage 10a, respond: the answer in the caller's format with the gateway's headers. Streams are
// written event by event with backpressure; a stream that fails after its first byte ends with
// the front door's error event (and is never retried).
import type { OutgoingHttpHeaders } from 'node:http';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import { formatCostHeader } from '../governance/cost/compute-cost.js';
import { exchangeCostNanos } from '../governance/cost/exchange-cost.js';
import type { ChatFrontDoor, EmbeddingsFrontDoor } from '../frontdoors/front-door.js';
import type { FrontDoorContext, FrontDoorStreamEncoder } from '../unified/front-door-codec.js';
import { UpstreamFailure } from '../errors/upstream-failure.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../unified/stream-events.js';
import { closeIfBodyUnread } from '../common/unread-request-body.js';
import type { UpstreamByteStream, UpstreamEventStream, UpstreamStream } from './call-upstream.js';
import { ClientDisconnectedError, GatewayShutdownError, type Exchange } from './exchange.js';
import type { StreamTransformer } from './stages.js';

/** nginx's convention for "client closed the request": only ever in logs and metrics. */
const CLIENT_CLOSED_STATUS = 499;
/**
 * Logged for a stream the gateway cut because the client stopped reading (the answer's head had
 * already gone out as 200): a client-side timeout, so 4xx, and apart from 499 (the client hung up).
 */
const CLIENT_STALLED_STATUS = 408;
/** Logged for a request still running when the shutdown grace ran out: the gateway went away. */
const SHUTDOWN_CUT_STATUS = 503;
/**
 * The write-stall deadline when a request has no route (none reaches a stream without one); the
 * route's `timeouts.streamIdle` otherwise, whose default this is.
 */
const DEFAULT_WRITE_STALL_MS = 60_000;

const COST_HEADER = 'x-switchyard-cost-usd';
/** `hit`, `semantic-hit`, `miss` or `bypass` on routes with a response cache; absent elsewhere. */
const CACHE_HEADER = 'x-switchyard-cache';
/** A semantic hit's cosine similarity, four decimals. */
const SIMILARITY_HEADER = 'x-switchyard-cache-similarity';

export function gatewayHeaders(exchange: Exchange, contentType: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { 'content-type': contentType, 'x-request-id': exchange.requestId };
  if (exchange.backend !== undefined) headers['x-switchyard-backend'] = exchange.backend;
  if (exchange.attemptCount > 0) headers['x-switchyard-attempts'] = String(exchange.attemptCount);
  if (exchange.admissionHeaders !== undefined) Object.assign(headers, exchange.admissionHeaders);
  if (exchange.cache !== undefined) headers[CACHE_HEADER] = exchange.cache;
  if (exchange.cacheSimilarity !== undefined) headers[SIMILARITY_HEADER] = exchange.cacheSimilarity.toFixed(4);
  if (exchange.cacheAgeSeconds !== undefined) headers.age = String(exchange.cacheAgeSeconds);
  // Known before the body only when the answer is complete; a stream's usage comes after its headers.
  const cost = exchangeCostNanos(exchange);
  if (cost !== undefined) headers[COST_HEADER] = formatCostHeader(cost);
  return headers;
}

/** Starts a streamed answer: 200 with the gateway's headers, never cached by anything between. */
export function writeStreamHead(exchange: Exchange, contentType: string): void {
  const headers = gatewayHeaders(exchange, contentType);
  headers['cache-control'] = 'no-cache';
  exchange.status = 200;
  exchange.res.writeHead(200, headers);
}

export function sendBody(exchange: Exchange, status: number, headers: OutgoingHttpHeaders, body: string | Buffer): void {
  const length = Buffer.byteLength(body);
  headers['content-length'] = length;
  closeIfBodyUnread(exchange.req, exchange.res, headers);
  exchange.status = status;
  exchange.res.writeHead(status, headers);
  if (status === 200) exchange.settleBeforeLastByte?.();
  exchange.res.end(body);
  if (length > WATCHED_ANSWER_BYTES) closeIfNotTaken(exchange.res, writeStallMs(exchange));
}

/**
 * Whole answers larger than this are watched until the client has taken them; smaller ones fit
 * in the socket buffers at once, so a client that does not read them holds nothing of ours.
 */
const WATCHED_ANSWER_BYTES = 256 * 1024;

function writeStallMs(exchange: Exchange): number {
  return exchange.route?.compiled.timeouts.streamIdleMs ?? DEFAULT_WRITE_STALL_MS;
}

/**
 * A whole answer is written with one `end`; a client that stops reading it would keep the
 * unsent rest in memory and its connection open for as long as it likes. The connection is
 * closed when a whole write-stall period passes without the client taking any of it.
 */
function closeIfNotTaken(res: Exchange['res'], stallMs: number): void {
  const socket = res.socket;
  if (socket === null) return;
  let pending = unsentBytes(socket);
  const check = setInterval(() => {
    const now = unsentBytes(socket);
    if (now >= pending) socket.destroy();
    pending = now;
  }, stallMs);
  check.unref();
  res.once('close', () => clearInterval(check));
}

/**
 * Bytes the socket has not handed to the kernel yet. One `end` is one write request, so the
 * stream's own `writableLength` only drops when all of it is out; libuv's write queue size (on
 * the socket's handle) drops as the client takes each part.
 */
function unsentBytes(socket: NonNullable<Exchange['res']['socket']>): number {
  const queued = (socket as { _handle?: { writeQueueSize?: unknown } })._handle?.writeQueueSize;
  return typeof queued === 'number' ? queued : socket.writableLength;
}

/** A whole answer that is not JSON (a file's content), with the gateway's headers. */
export function respondBody(exchange: Exchange, contentType: string, body: string): void {
  sendBody(exchange, 200, gatewayHeaders(exchange, contentType), body);
}

/** A whole answer already encoded by the front door, as JSON with the gateway's headers. */
export function respondJson(exchange: Exchange, body: string): void {
  sendBody(exchange, 200, gatewayHeaders(exchange, 'application/json'), body);
}

export function respondChat(
  exchange: Exchange,
  frontDoor: ChatFrontDoor,
  response: UnifiedChatResponse,
  requestedModel: string,
  context: FrontDoorContext,
): void {
  respondJson(exchange, frontDoor.encodeChatResponse(response, requestedModel, context));
}

export function respondEmbeddings(
  exchange: Exchange,
  frontDoor: EmbeddingsFrontDoor,
  response: UnifiedEmbeddingsResponse,
  requestedModel: string,
  context: FrontDoorContext,
): void {
  respondJson(exchange, frontDoor.encodeEmbeddingsResponse(response, requestedModel, context));
}

/**
 * Streams to the end through the transformer chain (stages.ts), upstream events first to last
 * link, then the front door's encoder. Failures end the stream in-band.
 */
export async function respondStream(
  exchange: Exchange,
  frontDoor: ChatFrontDoor,
  stream: UpstreamEventStream,
  requestedModel: string,
  context: FrontDoorContext,
  chain: readonly StreamTransformer[],
): Promise<void> {
  const { res } = exchange;
  const encoder = frontDoor.createStreamEncoder(requestedModel, context);
  writeStreamHead(exchange, encoder.contentType);
  let events: UnifiedStreamEvent[] | null = stream.first;
  try {
    while (events !== null) {
      if (chain.length > 0) {
        const passed = throughChain(chain, 0, events, exchange);
        events = passed instanceof Promise ? await passed : passed;
      }
      let frames = '';
      for (const event of events) frames += encoder.encode(event);
      if (frames.length > 0) {
        const flushed = res.write(frames);
        exchange.firstEventAt ??= performance.now();
        if (!flushed) await drained(exchange, stream);
      }
      events = await stream.next();
    }
    const closing = (await closingFrames(exchange, chain, encoder)) + encoder.end();
    exchange.settleBeforeLastByte?.();
    res.end(closing);
  } catch (error) {
    endFailedStream(exchange, stream, error, (failure) => encoder.error(failure));
  }
}

/**
 * A stream that failed after its head went out: cut (a client that stopped reading), dropped (a
 * client gone), or ended in-band with the front door's error event.
 */
function endFailedStream(
  exchange: Exchange,
  stream: Pick<UpstreamStream<unknown>, 'close'>,
  error: unknown,
  errorEvent: (error: GatewayError) => string,
): void {
  const { res } = exchange;
  stream.close();
  if (error instanceof ClientStalledError) {
    // Nothing more can reach a client that does not read: free its slot and its connection.
    exchange.status = CLIENT_STALLED_STATUS;
    exchange.cut = error.cut;
    exchange.streamFailure = error.message;
    res.destroy();
    return;
  }
  if (error instanceof ClientDisconnectedError || exchange.clientGone.aborted) {
    markDisconnected(exchange);
    return;
  }
  if (error instanceof StreamStageError) {
    // A stream stage refused the answer: the upstream did nothing wrong, and nothing is cached.
    exchange.error = error.refusal;
    res.end(errorEvent(error.refusal));
    return;
  }
  const failure = error instanceof UpstreamFailure ? error : undefined;
  exchange.streamFailure = failure ? `${failure.kind}: ${failure.message}` : 'stream failed';
  const streamError =
    failure?.kind === 'Timeout'
      ? new GatewayError('upstream_timeout', `upstream stream failed after it began: ${failure.message}`, { code: 'upstream_timeout' })
      : new GatewayError('upstream_failed', `upstream stream failed after it began: ${failure?.message ?? 'internal error'}`, {
          code: 'upstream_stream_failed',
        });
  res.end(errorEvent(streamError));
}

/** A whole passthrough answer: the upstream's bytes (model rewritten) with the gateway's headers. */
export function respondPassthrough(exchange: Exchange, body: Buffer): void {
  sendBody(exchange, 200, gatewayHeaders(exchange, 'application/json'), body);
}

/** The content type of the OpenAI door's streams (OpenAIChatStreamEncoder's). */
const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/**
 * A passthrough stream (passthrough.ts): the upstream's bytes, event batch by event batch, each
 * batch written once (the upstream's buffer itself when nothing in it was rewritten). The
 * usage comes from the rewriter as it sees the usage chunk; client disconnects, a client that
 * stops reading, the route's deadlines and time to first token are handled as in respondStream.
 */
export async function respondPassthroughStream(
  exchange: Exchange,
  frontDoor: ChatFrontDoor,
  stream: UpstreamByteStream,
  requestedModel: string,
  context: FrontDoorContext,
): Promise<void> {
  const { res } = exchange;
  const { rewriter } = stream;
  writeStreamHead(exchange, SSE_CONTENT_TYPE);
  let parts: Buffer[] | null = stream.first;
  try {
    while (parts !== null) {
      // One write per batch: the views joined in one copy cost far less than a chunked write
      // (and its chunk header) per view, which a writev of dozens of small parts pays.
      const flushed = res.write(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
      exchange.firstEventAt ??= performance.now();
      if (rewriter.usage !== undefined) exchange.usage = rewriter.usage;
      // What a cut stream is charged from when the usage chunk never came (settle.ts).
      exchange.streamedChars = rewriter.contentBytes;
      exchange.streamedDeltas = rewriter.events;
      if (!flushed) await drained(exchange, stream);
      parts = await stream.next();
    }
    if (rewriter.usage !== undefined) exchange.usage = rewriter.usage;
    exchange.settleBeforeLastByte?.();
    res.end();
  } catch (error) {
    endFailedStream(exchange, stream, error, (failure) => frontDoor.createStreamEncoder(requestedModel, context).error(failure));
  }
}

/** What a stream stage threw, told apart from the upstream's failures. */
class StreamStageError extends Error {
  constructor(readonly refusal: GatewayError) {
    super(refusal.message);
  }
}

/** `events` through the links from `from` on; a promise only when a link answered with one. */
function throughChain(
  chain: readonly StreamTransformer[],
  from: number,
  events: UnifiedStreamEvent[],
  exchange: Exchange,
): UnifiedStreamEvent[] | Promise<UnifiedStreamEvent[]> {
  for (let i = from; i < chain.length; i++) {
    let passed: UnifiedStreamEvent[] | Promise<UnifiedStreamEvent[]>;
    try {
      passed = (chain[i] as StreamTransformer).transform(events, exchange);
    } catch (error) {
      throw new StreamStageError(toGatewayError(error));
    }
    if (passed instanceof Promise) {
      return passed.then(
        (ready) => throughChain(chain, i + 1, ready, exchange),
        (error: unknown) => {
          throw new StreamStageError(toGatewayError(error));
        },
      );
    }
    events = passed;
  }
  return events;
}

/** Events the chain's links add at the end, each passed through the links after it. */
async function closingFrames(exchange: Exchange, chain: readonly StreamTransformer[], encoder: FrontDoorStreamEncoder): Promise<string> {
  let frames = '';
  for (let i = 0; i < chain.length; i++) {
    let added: UnifiedStreamEvent[] | undefined;
    try {
      added = await (chain[i] as StreamTransformer).end?.(exchange);
    } catch (error) {
      throw new StreamStageError(toGatewayError(error));
    }
    if (added === undefined) continue;
    for (const event of await throughChain(chain, i + 1, added, exchange)) frames += encoder.encode(event);
  }
  return frames;
}

/** The client stopped taking writes; the gateway cuts the stream (respondStream's catch). */
class ClientStalledError extends Error {
  constructor(
    readonly cut: 'write_stall' | 'total_timeout',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Waits until the client has taken what was written, bounded: by the write-stall deadline (the
 * route's `timeouts.streamIdle`, the same patience the gateway has with a silent upstream, here
 * with a client that takes nothing), and by the route's total timeout, which keeps running
 * while the gateway is blocked on the client. Without them a client that never reads would hold
 * its slot, its upstream connection and its reservation forever.
 */
function drained(exchange: Exchange, stream: Pick<UpstreamStream<unknown>, 'whenAborted'>): Promise<void> {
  return new Promise((resolveDrain, rejectDrain) => {
    const { res, clientGone } = exchange;
    const timeouts = exchange.route?.compiled.timeouts;
    const stallMs = writeStallMs(exchange);
    let stallTimer: NodeJS.Timeout | undefined;
    let stopWatchingStream: (() => void) | undefined;
    const settle = (): void => {
      clearTimeout(stallTimer);
      res.off('drain', onDrain);
      clientGone.removeEventListener('abort', onAbort);
      stopWatchingStream?.();
    };
    const onDrain = (): void => {
      settle();
      resolveDrain();
    };
    const onAbort = (): void => {
      settle();
      rejectDrain(new ClientDisconnectedError());
    };
    const onStall = (): void => {
      settle();
      rejectDrain(
        new ClientStalledError('write_stall', `the client took no write for ${stallMs} ms (the route's timeouts.streamIdle); stream cut`),
      );
    };
    const onStreamAborted = (reason: unknown): void => {
      if (reason instanceof ClientDisconnectedError) return onAbort();
      settle();
      rejectDrain(
        new ClientStalledError(
          'total_timeout',
          `the route's timeouts.total (${timeouts?.totalMs ?? 0} ms) passed while the client was not reading; stream cut`,
        ),
      );
    };
    if (clientGone.aborted) return onAbort();
    stallTimer = setTimeout(onStall, stallMs);
    res.once('drain', onDrain);
    clientGone.addEventListener('abort', onAbort, { once: true });
    stopWatchingStream = stream.whenAborted?.(onStreamAborted);
  });
}

/** The connection went away: the caller hung up (499), or the gateway cut it at the end of its shutdown grace. */
function markDisconnected(exchange: Exchange): void {
  const reason: unknown = exchange.clientGone.reason;
  if (reason instanceof GatewayShutdownError) {
    exchange.status = SHUTDOWN_CUT_STATUS;
    exchange.cut = 'shutdown';
    if (exchange.firstEventAt !== undefined) exchange.streamFailure = reason.message;
  } else {
    exchange.status = CLIENT_CLOSED_STATUS;
  }
}

/** Renders any failure in the caller's format; a disconnected client gets nothing. */
export function respondError(exchange: Exchange, encodeError: ChatFrontDoor['encodeError'], error: unknown): void {
  const { res } = exchange;
  if (error instanceof ClientDisconnectedError || exchange.clientGone.aborted) {
    markDisconnected(exchange);
    if (!res.writableEnded) res.destroy();
    return;
  }
  const gatewayError = toGatewayError(error);
  exchange.error = gatewayError;
  if (res.headersSent) {
    exchange.status = exchange.status || gatewayError.status;
    res.destroy();
    return;
  }
  const encoded = encodeError(gatewayError);
  const headers: OutgoingHttpHeaders = {
    ...encoded.headers,
    ...gatewayError.headers,
    ...gatewayHeaders(exchange, encoded.headers['content-type'] ?? 'application/json'),
  };
  sendBody(exchange, encoded.status, headers, encoded.body);
}
