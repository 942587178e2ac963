// The gateway as a client of one upstream MCP server over the legacy HTTP+SSE transport
// (protocol 2024-11-05, `transport: sse`): a GET opens a server-sent event stream whose first
// `endpoint` event names the URL to POST JSON-RPC messages to; every answer comes back on that
// stream as a `message` event and is matched to its request by id. Like the streamable HTTP
// client, every byte goes through the gateway's undici pools and egress guard, each event is
// bounded by --mcp-max-result-bytes, and each request by the server's call timeout.
//
// One stream (and so one upstream session) per MCPServer in this process. It is opened on first
// use, shared by concurrent requests, dropped when it ends, fails or stays unused for
// SSE_IDLE_CLOSE_MS, and opened again by the next request.
import type { CompiledMCPServer } from '@switchyard/compiler';
import type { UpstreamTransport } from '../transport/upstream-transport.js';
import { encodeJsonRpcRequest, type JsonRpcOutcome } from '../wire/mcp/index.js';
import { SseDecoder, SseEventTooLargeError } from '../wire/sse/index.js';
import { UpstreamCredentials, type UserTokenSource } from './client-credentials.js';
import {
  initializeSession,
  routeUpstreamMessage,
  sendAndAwaitAnswer,
  UpstreamNotifications,
  untilAborted,
  WATCH_RETRY_MAX_MS,
  WATCH_RETRY_MIN_MS,
  type ListKind,
  type PendingAnswer,
  type UpstreamNotification,
} from './upstream-messages.js';
import {
  asCallTimeout,
  callDeadline,
  describeTransportError,
  tooLargeError,
  type McpUpstream,
  type UpstreamClientOptions,
} from './upstream-client.js';
import { McpUpstreamError } from './upstream-errors.js';

/** An SSE session without requests for this long is closed (and reopened on the next request). */
const SSE_IDLE_CLOSE_MS = 5 * 60_000;
/** Largest answer read from a POST (the answers themselves come on the stream; this is its 202 text). */
const MAX_POST_ANSWER_BYTES = 64 * 1024;

/** One open event stream and the endpoint it named. */
interface Session {
  readonly endpoint: string;
  readonly controller: AbortController;
  readonly pending: Map<number, PendingAnswer>;
  closed: boolean;
}

export class SseUpstream implements McpUpstream {
  protocolVersion: string | undefined;
  private session: Promise<Session> | undefined;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly credentials: UpstreamCredentials;
  private readonly notifications = new UpstreamNotifications();
  /** While watched: the timer that opens the stream again after it ended, and its back-off. */
  private reopenTimer: NodeJS.Timeout | undefined;
  private reopenDelayMs = WATCH_RETRY_MIN_MS;

  constructor(
    private readonly server: CompiledMCPServer,
    private readonly options: UpstreamClientOptions,
    user?: UserTokenSource,
  ) {
    if (server.url === undefined) throw new Error(`MCPServer ${server.id} has no url`);
    this.credentials = new UpstreamCredentials(server, options.transport, options.nowMs ?? Date.now, user);
  }

  async request(
    method: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
    onNotification?: (notification: UpstreamNotification) => void,
  ): Promise<JsonRpcOutcome> {
    const { deadline, combined } = callDeadline(this.server, signal);
    const untrack = this.notifications.track(params, onNotification);
    this.clearIdle();
    try {
      let session = await this.open(combined);
      try {
        return await this.exchange(session, method, params, combined);
      } catch (error) {
        // A session the upstream dropped (a restart) fails the first request on it: a request
        // that changes nothing upstream goes once more on a new one; a tool call may have run.
        if (!(error instanceof McpUpstreamError) || error.reason !== 'unreachable' || method === 'tools/call' || combined.aborted)
          throw error;
        session = await this.open(combined);
        return await this.exchange(session, method, params, combined);
      }
    } catch (error) {
      throw asCallTimeout(this.server, deadline, error);
    } finally {
      untrack();
      this.armIdle();
    }
  }

  /**
   * List changes the upstream announces on its event stream. While watched, the stream stays
   * open (no idle close) and is opened again after it ends, with a back-off from
   * WATCH_RETRY_MIN_MS doubling to WATCH_RETRY_MAX_MS; the last watcher leaving re-arms the idle close.
   */
  watch(listener: (kind: ListKind) => void): () => void {
    const stop = this.notifications.watch(listener);
    this.keepOpen();
    return () => {
      stop();
      if (this.notifications.watched) return;
      if (this.reopenTimer !== undefined) clearTimeout(this.reopenTimer);
      this.reopenTimer = undefined;
      this.armIdle();
    };
  }

  private keepOpen(): void {
    if (!this.notifications.watched || this.reopenTimer !== undefined) return;
    this.clearIdle();
    this.open(AbortSignal.timeout(this.server.timeouts.callMs)).then(
      (session) => {
        if (session.closed) return this.reopenLater();
        this.reopenDelayMs = WATCH_RETRY_MIN_MS;
        session.controller.signal.addEventListener('abort', () => this.reopenLater(), { once: true });
      },
      () => this.reopenLater(),
    );
  }

  private reopenLater(): void {
    if (!this.notifications.watched || this.reopenTimer !== undefined) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      this.keepOpen();
    }, this.reopenDelayMs);
    this.reopenTimer.unref();
    this.reopenDelayMs = Math.min(this.reopenDelayMs * 2, WATCH_RETRY_MAX_MS);
  }

  /** Sends one request on `session` and waits for its answer on the stream. */
  private exchange(session: Session, method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<JsonRpcOutcome> {
    const id = this.takeId();
    return sendAndAwaitAnswer(session.pending, id, () => this.post(session, encodeJsonRpcRequest(id, method, params), signal), signal);
  }

  /** The open session, or a new one: the stream, its endpoint, and the initialize handshake on it. */
  private open(signal: AbortSignal): Promise<Session> {
    // The handshake has its own deadline, not the first caller's: a caller that goes away must
    // not fail the others waiting on the same stream.
    this.session ??= this.connect(AbortSignal.timeout(this.server.timeouts.callMs)).catch((error: unknown) => {
      this.session = undefined;
      if (error instanceof McpUpstreamError) throw error;
      throw new McpUpstreamError(`no SSE session within the server's call timeout (${this.server.timeouts.callMs} ms)`, 'timeout', {
        cause: error,
      });
    });
    return untilAborted(this.session, signal);
  }

  private async connect(signal: AbortSignal): Promise<Session> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const { response, endpoint } = await this.openStream(controller.signal);
      const session: Session = { endpoint, controller, pending: new Map(), closed: false };
      void this.pump(session, response.body, response.chunks, response.decoder, response.buffered);
      this.protocolVersion = await initializeSession(
        (method, params) => this.exchange(session, method, params, signal),
        (message) => this.post(session, message, signal),
        this.options.clientInfo,
      );
      return session;
    } catch (error) {
      controller.abort();
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** GETs the event stream and reads up to its `endpoint` event. */
  private async openStream(signal: AbortSignal): Promise<{
    response: { body: Body; chunks: AsyncIterator<Buffer>; decoder: SseDecoder; buffered: string[] };
    endpoint: string;
  }> {
    const url = this.server.url as string;
    let response: Awaited<ReturnType<UpstreamTransport['send']>>;
    try {
      response = await this.options.transport.send(
        { url, method: 'GET', headers: { ...(await this.credentials.headers()), accept: 'text/event-stream' } },
        // The stream is idle between requests; SSE_IDLE_CLOSE_MS and the call deadline bound it instead.
        { connectMs: this.server.timeouts.connectMs, bodyIdleMs: 0 },
        signal,
      );
    } catch (error) {
      if (error instanceof McpUpstreamError) throw error;
      throw new McpUpstreamError(`cannot reach the upstream: ${describeTransportError(error)}`, 'unreachable', { cause: error });
    }
    const { status, body } = response;
    if (status === 401 || status === 403) {
      await body.dump();
      this.credentials.refused();
      throw new McpUpstreamError(`the upstream refused the gateway's credentials (${status})`, 'auth');
    }
    const contentType = String(response.headers['content-type'] ?? '').toLowerCase();
    if (status < 200 || status >= 300 || !contentType.startsWith('text/event-stream')) {
      await body.dump();
      throw new McpUpstreamError(
        `upstream answered HTTP ${status} (${contentType || 'no content type'}) instead of an event stream`,
        'protocol',
      );
    }
    const decoder = new SseDecoder({ maxEventChars: this.options.maxResultBytes });
    // Messages that arrive in the same chunk as the endpoint are kept for the pump.
    const buffered: string[] = [];
    let endpoint: string | undefined;
    // Read by hand: leaving a for-await loop would close the stream the pump goes on reading.
    const chunks = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    try {
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
        for (const event of decoder.push(next.value)) {
          if (endpoint === undefined && event.event === 'endpoint') endpoint = this.endpointUrl(event.data.trim());
          else if (endpoint !== undefined && event.data.length > 0) buffered.push(event.data);
        }
        if (endpoint !== undefined) return { response: { body, chunks, decoder, buffered }, endpoint };
      }
    } catch (error) {
      body.destroy();
      if (error instanceof McpUpstreamError) throw error;
      if (error instanceof SseEventTooLargeError) throw tooLargeError(this.options.maxResultBytes);
      throw new McpUpstreamError(`the event stream failed: ${describeTransportError(error)}`, 'unreachable', { cause: error });
    }
    throw new McpUpstreamError('the upstream closed its event stream before naming its message endpoint', 'protocol');
  }

  /**
   * The `endpoint` event's URL, resolved against the stream's. It must be on the same origin: an
   * upstream may not send the gateway's credentials, or its callers' arguments, anywhere else.
   */
  private endpointUrl(data: string): string {
    const base = new URL(this.server.url as string);
    let url: URL;
    try {
      url = new URL(data, base);
    } catch {
      throw new McpUpstreamError('the endpoint event does not hold a URL', 'protocol');
    }
    if (url.origin !== base.origin)
      throw new McpUpstreamError(`the endpoint event names another origin (${url.origin.slice(0, 200)})`, 'protocol');
    return url.href;
  }

  /** Reads the stream until it ends, answering pending requests; then fails whatever still waits. */
  private async pump(session: Session, body: Body, chunks: AsyncIterator<Buffer>, decoder: SseDecoder, buffered: string[]): Promise<void> {
    let failure = new McpUpstreamError('the upstream closed its event stream', 'unreachable');
    try {
      for (const data of buffered) this.dispatch(session, data);
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next())
        for (const event of decoder.push(next.value)) this.dispatch(session, event.data);
    } catch (error) {
      failure =
        error instanceof SseEventTooLargeError
          ? tooLargeError(this.options.maxResultBytes)
          : new McpUpstreamError(`the event stream failed: ${describeTransportError(error)}`, 'unreachable', { cause: error });
    } finally {
      if (!body.destroyed) body.destroy();
      this.drop(session, failure);
    }
  }

  /** One `message` event: the answer to a pending request, or a request from the upstream (answered on a POST). */
  private dispatch(session: Session, data: string): void {
    if (data.length === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    const reply = routeUpstreamMessage(message, session.pending, this.notifications);
    if (reply !== undefined) this.post(session, reply, session.controller.signal).catch(() => undefined);
  }

  /** Ends `session`: its stream is closed, its waiting requests fail, and the next request opens another. */
  private drop(session: Session, failure: McpUpstreamError): void {
    if (session.closed) return;
    session.closed = true;
    session.controller.abort();
    for (const waiting of session.pending.values()) waiting.reject(failure);
    session.pending.clear();
    void this.session?.then(
      (current) => {
        if (current === session) this.session = undefined;
      },
      () => undefined,
    );
  }

  /** POSTs one message to the session's endpoint; the upstream acknowledges it (202) and answers on the stream. */
  private async post(session: Session, body: string, signal: AbortSignal): Promise<void> {
    if (session.closed) throw new McpUpstreamError('the upstream closed its event stream', 'unreachable');
    let response: Awaited<ReturnType<UpstreamTransport['send']>>;
    try {
      response = await this.options.transport.send(
        {
          url: session.endpoint,
          method: 'POST',
          headers: { ...(await this.credentials.headers()), 'content-type': 'application/json' },
          body,
        },
        { connectMs: this.server.timeouts.connectMs, bodyIdleMs: this.server.timeouts.callMs },
        signal,
      );
    } catch (error) {
      if (error instanceof McpUpstreamError) throw error;
      throw new McpUpstreamError(`cannot reach the upstream: ${describeTransportError(error)}`, 'unreachable', { cause: error });
    }
    const { status } = response;
    await readCut(response.body, MAX_POST_ANSWER_BYTES);
    if (status >= 200 && status < 300) return;
    if (status === 401 || status === 403) {
      this.credentials.refused();
      this.drop(session, new McpUpstreamError(`the upstream refused the gateway's credentials (${status})`, 'auth'));
      throw new McpUpstreamError(`the upstream refused the gateway's credentials (${status})`, 'auth');
    }
    if (status === 404) {
      // The upstream no longer knows this session (a restart): a new stream is needed.
      const lost = new McpUpstreamError('the upstream no longer knows its SSE session', 'unreachable');
      this.drop(session, lost);
      throw lost;
    }
    throw new McpUpstreamError(`upstream answered HTTP ${status} to a message`, 'protocol');
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = id >= Number.MAX_SAFE_INTEGER ? 1 : id + 1;
    return id;
  }

  private clearIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Closes the stream after SSE_IDLE_CLOSE_MS without requests, so an idle server holds no connection. */
  private armIdle(): void {
    this.clearIdle();
    const current = this.session;
    // A watched stream stays open: it is where the upstream announces list changes.
    if (current === undefined || this.notifications.watched) return;
    this.idleTimer = setTimeout(() => {
      void current.then(
        (session) => {
          if (session.pending.size === 0) this.drop(session, new McpUpstreamError('the SSE session was idle', 'unreachable'));
        },
        () => undefined,
      );
    }, SSE_IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }
}

type Body = Awaited<ReturnType<UpstreamTransport['send']>>['body'];

/** Reads and discards a body, stopping (and closing it) past `limit` bytes. */
async function readCut(body: Body, limit: number): Promise<void> {
  let received = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) {
      body.destroy();
      return;
    }
  }
}
