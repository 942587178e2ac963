// Stage 7, call: one attempt against one backend. HTTP providers are encoded by their adapter,
// sent through the transport and decoded (whole, or chunk by chunk into the adapter's stream
// decoder); in-process providers are called directly under the same timeouts. A streaming call
// returns as soon as the first events are decoded: until then it can still be retried.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CompiledTimeouts } from '@switchyard/compiler';
import type { Dispatcher } from 'undici';
import { GatewayError } from '../errors/gateway-error.js';
import type { BackendTarget, StreamDecoder, UpstreamHeaders, UpstreamHttpRequest } from '../unified/provider-codec.js';
import type { HttpProviderAdapter, InProcessProviderAdapter, ProviderAdapter } from '../providers/provider-adapter.js';
import { UnsupportedFeatureError } from '../errors/unsupported-feature-error.js';
import { UpstreamFailure } from '../errors/upstream-failure.js';
import { classifyTransportError } from '../transport/transport-errors.js';
import {
  UpstreamBodyTooLargeError,
  takeBodyText,
  type BufferedUpstreamResponse,
  type UpstreamCallTimeouts,
  type UpstreamResponse,
  type UpstreamTransport,
} from '../transport/upstream-transport.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../unified/chat-response.js';
import type { UnifiedModerationsRequest, UnifiedModerationsResponse } from '../unified/moderations.js';
import type { UnifiedRerankRequest, UnifiedRerankResponse } from '../unified/rerank.js';
import type { UnifiedImageRequest, UnifiedImageResponse } from '../unified/images.js';
import type { UnifiedStreamEvent } from '../unified/stream-events.js';
import { AttemptScope } from './attempt-scope.js';
import { ClientDisconnectedError, type ClientAbortSignal } from './exchange.js';
import { scrubFailure } from './scrub-credentials.js';
import type { ChatPassthrough, PassthroughCompletion, PassthroughStreamRewriter } from '../unified/passthrough.js';

const ERROR_BODY_LIMIT_BYTES = 64 * 1024;
/**
 * Stream bytes decoded without producing an event before the pull loop gives the event loop a
 * turn: chunks already buffered resolve as microtasks, so a fast upstream sending one huge line
 * would otherwise keep every other request (and /healthz) waiting until the line ends.
 */
const STREAM_BYTES_PER_TURN = 1024 * 1024;

/** A stream that has produced its first batch; the rest is pulled batch by batch. */
export interface UpstreamStream<Batch> {
  readonly first: Batch[];
  /** The next batch, or null at the end. Throws UpstreamFailure or ClientDisconnectedError. */
  next(): Promise<Batch[] | null>;
  /** Stops the upstream when the stream is abandoned early. */
  close(): void;
  /**
   * Calls `listener` once if the attempt ends before the stream does (its total deadline, the
   * client gone); returns the unsubscribe. Lets a wait outside `next` (respond waiting for a slow
   * client to take a write) end on the route's total timeout too. Absent on replayed answers.
   */
  whenAborted?(listener: (reason: unknown) => void): () => void;
}

/** A stream that has produced its first events, decoded to the unified model. */
export type UpstreamEventStream = UpstreamStream<UnifiedStreamEvent>;

/**
 * A same-dialect stream (the passthrough fast path): batches are the upstream's bytes, ready to
 * write, and `rewriter` has what the gateway records of them (usage, the answering model).
 */
export interface UpstreamByteStream extends UpstreamStream<Buffer> {
  readonly rewriter: PassthroughStreamRewriter;
}

/** What one chat attempt on the normal path answers: a unified answer, whole or streamed. */
export type ChatCallResult = { kind: 'complete'; response: UnifiedChatResponse } | { kind: 'stream'; stream: UpstreamEventStream };

/** What a chat attempt answers: the normal path's, or the passthrough's bytes (pipeline/passthrough.ts). */
export type ChatAnswer =
  | ChatCallResult
  | { kind: 'passthrough'; completion: PassthroughCompletion }
  | { kind: 'passthrough-stream'; stream: UpstreamByteStream };

export interface UpstreamCall {
  transport: UpstreamTransport;
  adapter: ProviderAdapter;
  target: BackendTarget;
  timeouts: CompiledTimeouts;
  /** The client's disconnect (an exchange's `clientGone`, or any AbortSignal). */
  clientSignal: ClientAbortSignal;
}

export async function callChat(call: UpstreamCall, request: UnifiedChatRequest): Promise<ChatCallResult> {
  const scope = new AttemptScope(call.clientSignal, call.timeouts);
  let streaming = false;
  try {
    const { adapter } = call;
    if (adapter.kind === 'in-process') {
      if (!request.stream)
        return {
          kind: 'complete',
          response: await scope.within(adapter.complete(request, call.target, scope.signal), call.timeouts.firstByteMs, 'firstByte'),
        };
      const stream = await openInProcessStream(adapter, call, request, scope);
      streaming = true;
      return { kind: 'stream', stream };
    }
    const upstreamRequest = adapter.encodeChatRequest(request, call.target);
    const firstByteOpen = adapter.authorizeRequest !== undefined && (await authorize(adapter, call, upstreamRequest, scope));
    if (!request.stream) {
      const { body } = await sendForJson(call, upstreamRequest, scope, firstByteOpen);
      return { kind: 'complete', response: decodeWith(() => adapter.decodeChatResponse(body, call.target)) };
    }
    const response = await send(call, upstreamRequest, scope, firstByteOpen);
    const stream = await openHttpStream(adapter, call, response, scope);
    streaming = true;
    return { kind: 'stream', stream };
  } catch (error) {
    throw attemptError(error, call, scope);
  } finally {
    if (!streaming) scope.dispose();
  }
}

/**
 * One chat attempt on the passthrough fast path: `upstreamRequest` is the caller's own body
 * readied for the backend (its adapter's chatPassthrough), and the answer is forwarded as the
 * upstream wrote it. A whole answer the byte scan cannot read is decoded the normal way, so a
 * malformed answer fails (and is retried) as it does there.
 */
export async function callChatPassthrough(
  call: UpstreamCall,
  passthrough: ChatPassthrough,
  upstreamRequest: UpstreamHttpRequest,
  requestedModel: string,
  /** Undefined: a whole answer; else the caller's stream_options.include_usage. */
  streamIncludeUsage: boolean | undefined,
): Promise<ChatAnswer> {
  const scope = new AttemptScope(call.clientSignal, call.timeouts);
  let streaming = false;
  try {
    const adapter = call.adapter as HttpProviderAdapter;
    const firstByteOpen = adapter.authorizeRequest !== undefined && (await authorize(adapter, call, upstreamRequest, scope));
    if (streamIncludeUsage === undefined) {
      // sendBuffered inlined (one async frame fewer per waiting request).
      let buffered: BufferedUpstreamResponse;
      try {
        buffered = await startBuffered(call, upstreamRequest, scope, firstByteOpen);
      } catch (error) {
        throw bufferedFailure(error, call, scope);
      } finally {
        scope.endPhase();
      }
      const response = successfulBuffered(call, buffered);
      const completion = passthrough.readCompletion(response.body, requestedModel);
      if (completion !== undefined) return { kind: 'passthrough', completion };
      const { body } = parseJson(response);
      return { kind: 'complete', response: decodeWith(() => adapter.decodeChatResponse(body, call.target)) };
    }
    const response = await send(call, upstreamRequest, scope, firstByteOpen);
    const rewriter = passthrough.createStreamRewriter(requestedModel, streamIncludeUsage);
    const opened = await openPassthroughStream(adapter, call, response, scope, rewriter);
    streaming = true;
    return { kind: 'passthrough-stream', stream: opened };
  } catch (error) {
    throw attemptError(error, call, scope);
  } finally {
    if (!streaming) scope.dispose();
  }
}

export async function callModerations(call: UpstreamCall, request: UnifiedModerationsRequest): Promise<UnifiedModerationsResponse> {
  const scope = new AttemptScope(call.clientSignal, call.timeouts);
  try {
    const { adapter } = call;
    if (adapter.kind === 'in-process' || adapter.encodeModerationsRequest === undefined || adapter.decodeModerationsResponse === undefined)
      throw new UnsupportedFeatureError('moderations (/v1/moderations)', adapter.provider);
    const decode = adapter.decodeModerationsResponse.bind(adapter);
    const upstreamRequest = adapter.encodeModerationsRequest(request, call.target);
    const firstByteOpen = adapter.authorizeRequest !== undefined && (await authorize(adapter, call, upstreamRequest, scope));
    const { body } = await sendForJson(call, upstreamRequest, scope, firstByteOpen);
    return decodeWith(() => decode(body, call.target));
  } catch (error) {
    throw attemptError(error, call, scope);
  } finally {
    scope.dispose();
  }
}

export async function callRerank(call: UpstreamCall, request: UnifiedRerankRequest): Promise<UnifiedRerankResponse> {
  const scope = new AttemptScope(call.clientSignal, call.timeouts);
  try {
    const { adapter } = call;
    if (adapter.kind === 'in-process' || adapter.encodeRerankRequest === undefined || adapter.decodeRerankResponse === undefined)
      throw new UnsupportedFeatureError('rerank (/v1/rerank)', adapter.provider);
    const decode = adapter.decodeRerankResponse.bind(adapter);
    const upstreamRequest = adapter.encodeRerankRequest(request, call.target);
    const firstByteOpen = adapter.authorizeRequest !== undefined && (await authorize(adapter, call, upstreamRequest, scope));
    const { body } = await sendForJson(call, upstreamRequest, scope, firstByteOpen);
    return decodeWith(() => decode(body, request, call.target));
  } catch (error) {
    throw attemptError(error, call, scope);
  } finally {
    scope.dispose();
  }
}

/** An image answer with the backend that gave it: image prices are per backend model (images-operation.ts). */
export interface ImageCallResult {
  response: UnifiedImageResponse;
  backend: BackendTarget['backend'];
}

export async function callImages(call: UpstreamCall, request: UnifiedImageRequest): Promise<ImageCallResult> {
  const scope = new AttemptScope(call.clientSignal, call.timeouts);
  try {
    const { adapter } = call;
    if (adapter.kind === 'in-process' || adapter.encodeImageRequest === undefined || adapter.decodeImageResponse === undefined)
      throw new UnsupportedFeatureError(
        request.operation === 'edit' ? 'image edits (/v1/images/edits)' : 'image generation (/v1/images/generations)',
        adapter.provider,
      );
    const decode = adapter.decodeImageResponse.bind(adapter);
    const upstreamRequest = adapter.encodeImageRequest(request, call.target);
    const firstByteOpen = adapter.authorizeRequest !== undefined && (await authorize(adapter, call, upstreamRequest, scope));
    const { body } = await sendForJson(call, upstreamRequest, scope, firstByteOpen);
    return { response: decodeWith(() => decode(body, request, call.target)), backend: call.target.backend };
  } catch (error) {
    throw attemptError(error, call, scope);
  } finally {
    scope.dispose();
  }
}

export async function callEmbeddings(call: UpstreamCall, request: UnifiedEmbeddingsRequest): Promise<UnifiedEmbeddingsResponse> {
  const scope = new AttemptScope(call.clientSignal, call.timeouts);
  try {
    const { adapter } = call;
    if (adapter.kind === 'in-process') {
      if (adapter.embed === undefined) throw new UnsupportedFeatureError('embeddings', adapter.provider);
      return await scope.within(adapter.embed(request, call.target, scope.signal), call.timeouts.firstByteMs, 'firstByte');
    }
    if (adapter.encodeEmbeddingsRequest === undefined || adapter.decodeEmbeddingsResponse === undefined)
      throw new UnsupportedFeatureError('embeddings', adapter.provider);
    const decodeEmbeddings = adapter.decodeEmbeddingsResponse.bind(adapter);
    const upstreamRequest = adapter.encodeEmbeddingsRequest(request, call.target);
    const firstByteOpen = adapter.authorizeRequest !== undefined && (await authorize(adapter, call, upstreamRequest, scope));
    const { body, headers } = await sendForJson(call, upstreamRequest, scope, firstByteOpen);
    return decodeWith(() => decodeEmbeddings(body, call.target, headers));
  } catch (error) {
    throw attemptError(error, call, scope);
  } finally {
    scope.dispose();
  }
}

/**
 * One call of a stored-object API (files, batches: pipeline/batches/): the request is encoded by
 * the caller (providers/batch-endpoints.ts), the 2xx answer returned as text, whole and bounded
 * by --max-response-bytes; any other status becomes the adapter's classified failure.
 */
export async function callStoredObjectApi(call: UpstreamCall, request: UpstreamHttpRequest): Promise<string> {
  const scope = new AttemptScope(call.clientSignal, call.timeouts);
  try {
    const { adapter } = call;
    if (adapter.kind === 'in-process') throw new UnsupportedFeatureError('files and batches', adapter.provider);
    const firstByteOpen = adapter.authorizeRequest !== undefined && (await authorize(adapter, call, request, scope));
    return await sendForText(call, request, scope, firstByteOpen);
  } catch (error) {
    throw attemptError(error, call, scope);
  } finally {
    scope.dispose();
  }
}

/** One per compiled timeouts object (a route's, a backend's, or a key's overrides merged per request). */
const transportTimeoutsOf = new WeakMap<CompiledTimeouts, UpstreamCallTimeouts>();

function transportTimeouts(timeouts: CompiledTimeouts): UpstreamCallTimeouts {
  let found = transportTimeoutsOf.get(timeouts);
  if (found === undefined) {
    found = Object.freeze({ connectMs: timeouts.connectMs, bodyIdleMs: timeouts.streamIdleMs });
    transportTimeoutsOf.set(timeouts, found);
  }
  return found;
}

/**
 * Runs the adapter's async authorization (an OAuth2 token fetch) inside the first-byte phase
 * and leaves that phase open: the token wait and the wait for the answer share one deadline.
 * The wait ends when the attempt aborts even if a token fetch shared with other requests goes
 * on. Returns true: the first-byte phase is already running.
 */
export async function authorize(
  adapter: HttpProviderAdapter,
  call: UpstreamCall,
  request: UpstreamHttpRequest,
  scope: AttemptScope,
): Promise<true> {
  const authorizeRequest = adapter.authorizeRequest as NonNullable<HttpProviderAdapter['authorizeRequest']>;
  scope.beginPhase(call.timeouts.firstByteMs, 'firstByte');
  await scope.untilAborted(
    authorizeRequest.call(adapter, request, call.target, {
      transport: call.transport,
      signal: scope.abortEmitter,
      timeouts: call.timeouts,
    }),
  );
  return true;
}

/**
 * Sends and returns a 2xx response; any other status becomes the adapter's classified failure.
 * `firstByteOpen`: the first-byte phase began before (authorization), so its deadline stands.
 */
export async function send(
  call: UpstreamCall,
  request: UpstreamHttpRequest,
  scope: AttemptScope,
  firstByteOpen = false,
): Promise<UpstreamResponse> {
  const adapter = call.adapter as HttpProviderAdapter;
  let response: UpstreamResponse;
  // undici stops the request when the attempt aborts, so the first-byte deadline needs no race here.
  if (!firstByteOpen) scope.beginPhase(call.timeouts.firstByteMs, 'firstByte');
  try {
    response = await call.transport.send(request, transportTimeouts(call.timeouts), scope.abortEmitter);
  } catch (error) {
    throw classifyTransportError(scope.explain(error), call.timeouts);
  } finally {
    scope.endPhase();
  }
  if (response.status >= 200 && response.status < 300) return response;
  const text = await readLimitedText(response.body, ERROR_BODY_LIMIT_BYTES).catch(() => '');
  throw adapter.decodeError(response.status, response.headers, text);
}

/**
 * Sends a non-streaming call and returns its whole 2xx answer; any other status becomes the
 * adapter's classified failure. The first-byte deadline covers the wait for headers.
 */
export async function sendBuffered(
  call: UpstreamCall,
  request: UpstreamHttpRequest,
  scope: AttemptScope,
  firstByteOpen: boolean,
): Promise<BufferedUpstreamResponse> {
  let response: BufferedUpstreamResponse;
  try {
    response = await startBuffered(call, request, scope, firstByteOpen);
  } catch (error) {
    throw bufferedFailure(error, call, scope);
  } finally {
    scope.endPhase();
  }
  return successfulBuffered(call, response);
}

/**
 * sendBuffered's first half, without an async frame of its own: the passthrough's attempt awaits
 * the transport directly, so a request waiting on its upstream keeps one suspended function
 * fewer alive (docs/benchmarks.md, "Survivors per request"). Pair with bufferedFailure, endPhase
 * and successfulBuffered exactly as sendBuffered does.
 */
function startBuffered(
  call: UpstreamCall,
  request: UpstreamHttpRequest,
  scope: AttemptScope,
  firstByteOpen: boolean,
): Promise<BufferedUpstreamResponse> {
  if (!firstByteOpen) scope.beginPhase(call.timeouts.firstByteMs, 'firstByte');
  return call.transport.sendBuffered(request, transportTimeouts(call.timeouts), scope.abortEmitter, {
    // The process-wide cap (--max-response-bytes), so a broken upstream cannot make the gateway buffer without end.
    maxBodyBytes: call.transport.maxResponseBytes,
    maxErrorBodyBytes: ERROR_BODY_LIMIT_BYTES,
    onHeaders: () => scope.endPhase(),
  });
}

/** What a failed buffered send means for the attempt (see sendBuffered). */
function bufferedFailure(error: unknown, call: UpstreamCall, scope: AttemptScope): unknown {
  const explained = scope.explain(error);
  if (explained instanceof UpstreamBodyTooLargeError) return new UpstreamFailure('Other', 200, explained.message);
  return classifyTransportError(explained, call.timeouts);
}

/** The answer if its status is 2xx; else the adapter's classified failure, thrown. */
function successfulBuffered(call: UpstreamCall, response: BufferedUpstreamResponse): BufferedUpstreamResponse {
  if (response.status < 200 || response.status >= 300)
    throw (call.adapter as HttpProviderAdapter).decodeError(response.status, response.headers, takeBodyText(response));
  return response;
}

/** A non-streaming call's 2xx body as text (see sendBuffered). */
async function sendForText(call: UpstreamCall, request: UpstreamHttpRequest, scope: AttemptScope, firstByteOpen = false): Promise<string> {
  return takeBodyText(await sendBuffered(call, request, scope, firstByteOpen));
}

/**
 * Sends a non-streaming call and returns its parsed 2xx JSON body; any other status becomes
 * the adapter's classified failure. The first-byte deadline covers the wait for headers.
 */
async function sendForJson(
  call: UpstreamCall,
  request: UpstreamHttpRequest,
  scope: AttemptScope,
  firstByteOpen = false,
): Promise<UpstreamJson> {
  return parseJson(await sendBuffered(call, request, scope, firstByteOpen));
}

function parseJson(response: BufferedUpstreamResponse): UpstreamJson {
  // The bytes are released as they become text, so a large answer is held once while it is parsed.
  const text = takeBodyText(response);
  try {
    return { body: JSON.parse(text) as unknown, headers: response.headers };
  } catch {
    throw new UpstreamFailure('Other', response.status, 'upstream answered with a body that is not JSON');
  }
}

/** A parsed 2xx answer and its headers (some providers put usage in a header). */
interface UpstreamJson {
  body: unknown;
  headers: UpstreamHeaders;
}

function decodeWith<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof UpstreamFailure) throw error;
    throw new UpstreamFailure(
      'Other',
      200,
      `could not decode the upstream answer: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function readLimitedText(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/**
 * Reads an upstream body and hands each chunk to `step.push`, returning the first non-empty
 * batch it yields (then null once the body and `step.end`'s tail are used up). The idle deadline
 * bounds each read (the body ends with an error when the attempt aborts, so it needs no race),
 * and a fast upstream yields the event loop every STREAM_BYTES_PER_TURN bytes.
 */
function batchPuller<T>(
  response: UpstreamResponse,
  scope: AttemptScope,
  call: UpstreamCall,
  step: { push(bytes: Uint8Array): T[]; end(): T[] },
): () => Promise<T[] | null> {
  const chunks = response.body[Symbol.asyncIterator]();
  let ended = false;
  return async () => {
    let bytesThisTurn = 0;
    while (!ended) {
      if (bytesThisTurn >= STREAM_BYTES_PER_TURN) {
        bytesThisTurn = 0;
        await nextTurn();
      }
      let chunk: IteratorResult<unknown>;
      try {
        chunk = await scope.bounded(chunks.next(), call.timeouts.streamIdleMs, 'streamIdle');
      } catch (error) {
        throw classifyTransportError(scope.explain(error), call.timeouts);
      }
      if (chunk.done) {
        ended = true;
        const tail = step.end();
        return tail.length > 0 ? tail : null;
      }
      const bytes = chunk.value as Uint8Array;
      bytesThisTurn += bytes.length;
      const batch = step.push(bytes);
      if (batch.length > 0) return batch;
    }
    return null;
  };
}

async function openHttpStream(
  adapter: HttpProviderAdapter,
  call: UpstreamCall,
  response: UpstreamResponse,
  scope: AttemptScope,
): Promise<UpstreamEventStream> {
  const decoder: StreamDecoder = adapter.createStreamDecoder(call.target);
  const pull = batchPuller<UnifiedStreamEvent>(response, scope, call, {
    push: (bytes) => decodeWith(() => decoder.push(bytes)),
    end: () => decodeWith(() => decoder.end()),
  });
  const first = await pull();
  if (first === null) throw new UpstreamFailure('Other', response.status, 'upstream stream ended before any event');
  return wrapStream(first, pull, scope, call, () => response.body.destroy());
}

async function openInProcessStream(
  adapter: InProcessProviderAdapter,
  call: UpstreamCall,
  request: UnifiedChatRequest,
  scope: AttemptScope,
): Promise<UpstreamEventStream> {
  const events = adapter.stream(request, call.target, scope.signal)[Symbol.asyncIterator]();
  const firstResult = await scope.within(events.next(), call.timeouts.firstByteMs, 'firstByte');
  if (firstResult.done) throw new UpstreamFailure('Other', 0, 'upstream stream ended before any event');
  const pull = async (): Promise<UnifiedStreamEvent[] | null> => {
    const result = await scope.within(events.next(), call.timeouts.streamIdleMs, 'streamIdle');
    return result.done ? null : [result.value];
  };
  return wrapStream([firstResult.value], pull, scope, call, () => void events.return?.());
}

/**
 * The passthrough's stream: the upstream's chunks through the rewriter (whole events only, the
 * model rewritten), no decode. Returns once the first events are in hand, so until then the
 * attempt can still be retried, as on the normal path; a first event that is an error object is
 * handed to the adapter's decoder, which classifies it as the normal path does.
 */
async function openPassthroughStream(
  adapter: HttpProviderAdapter,
  call: UpstreamCall,
  response: UpstreamResponse,
  scope: AttemptScope,
  rewriter: PassthroughStreamRewriter,
): Promise<UpstreamByteStream> {
  const pull = batchPuller<Buffer>(response, scope, call, {
    push: (bytes) => {
      const out = decodeWith(() => rewriter.push(bytes as Buffer));
      if (rewriter.batchMayHoldError) failOnErrorEvent(adapter, call, out);
      return out;
    },
    end: () => {
      const tail = decodeWith(() => rewriter.end());
      // Cut before it finished: the adapter's decoder names the failure, as on the normal path.
      if (!rewriter.completed && rewriter.sawEvent) failOnErrorEvent(adapter, call, tail, true);
      return tail;
    },
  });
  // Comments and keep-alives some servers send before the first event go out with it.
  let first = await pull();
  const head: Buffer[] = [];
  while (first !== null && !rewriter.sawEvent) {
    head.push(...first);
    first = await pull();
  }
  if (first === null) {
    // The adapter's decoder says what was wrong with what came instead, as on the normal path.
    const decoder = adapter.createStreamDecoder(call.target);
    decodeWith(() => {
      for (const bytes of head) decoder.push(bytes);
      decoder.end();
    });
    throw new UpstreamFailure('Other', response.status, 'upstream stream ended before any event');
  }
  if (head.length > 0) first = [...head, ...first];
  return { ...wrapStream(first, pull, scope, call, () => response.body.destroy()), rewriter };
}

/**
 * Throws the adapter's classified failure when the batch holds an error event (its decoder reads
 * one), or, with `ended`, when a stream that has not completed ends (its decoder's end says so).
 */
function failOnErrorEvent(adapter: HttpProviderAdapter, call: UpstreamCall, batch: readonly Buffer[], ended = false): void {
  const decoder = adapter.createStreamDecoder(call.target);
  decodeWith(() => {
    for (const bytes of batch) decoder.push(bytes);
    if (ended) decoder.end();
  });
}

function wrapStream<Batch>(
  first: Batch[],
  pull: () => Promise<Batch[] | null>,
  scope: AttemptScope,
  call: UpstreamCall,
  release: () => void,
): UpstreamStream<Batch> {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    scope.dispose();
    release();
  };
  return {
    first,
    async next() {
      if (closed) return null;
      try {
        const events = await pull();
        if (events === null) close();
        return events;
      } catch (error) {
        const explained = attemptError(error, call, scope);
        scope.abort(explained);
        close();
        throw explained;
      }
    },
    close() {
      if (!closed) scope.abort(new ClientDisconnectedError());
      close();
    },
    whenAborted(listener) {
      const emitter = scope.abortEmitter;
      const onAbort = (): void => listener(emitter.reason);
      if (emitter.aborted) {
        onAbort();
        return () => undefined;
      }
      emitter.once('abort', onAbort);
      return () => emitter.off('abort', onAbort);
    },
  };
}

/** Normalizes whatever an attempt threw into UpstreamFailure (credentials scrubbed) or a pass-through error. */
export function attemptError(error: unknown, call: UpstreamCall, scope: AttemptScope): unknown {
  const explained = scope.explain(error);
  if (explained instanceof ClientDisconnectedError || explained instanceof GatewayError || explained instanceof UnsupportedFeatureError)
    return explained;
  if (explained instanceof UpstreamFailure) return scrubFailure(explained, call.target.credential);
  if (error instanceof Error && (error as { code?: unknown }).code !== undefined) return classifyTransportError(error, call.timeouts);
  return new UpstreamFailure('Other', 0, `upstream call failed: ${error instanceof Error ? error.message : String(error)}`);
}
