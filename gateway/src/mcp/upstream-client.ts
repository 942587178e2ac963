// The gateway as a client of one upstream MCP server over streamable HTTP. Written on the
// gateway's own transport rather than the official SDK's client so that every upstream byte goes
// through the same undici pools and egress guard (--deny-upstream-cidrs) as provider calls,
// every answer is read under a byte bound, and both protocol revisions are spoken: 2026-07-28
// when the upstream's `server/discover` offers it, else the 2025-11-25 handshake whose
// `Mcp-Session-Id` is kept per upstream in this process (a new one after a restart or when the
// upstream forgets it: a 404 on a session is answered by initializing again once).
//
// The legacy SSE transport (sse-upstream.ts) and later ones implement the same `McpUpstream` interface.
import type { CompiledMCPServer } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import type { UpstreamTransport } from '../transport/upstream-transport.js';
import {
  decodeJsonRpcResponse,
  encodeJsonRpcNotification,
  encodeJsonRpcRequest,
  JSON_RPC_ERRORS,
  MCP_PROTOCOL_VERSION_HEADER,
  MCP_SESSION_HEADER,
  MCP_STATEFUL_VERSION,
  MCP_STATELESS_VERSION,
  META_CLIENT_CAPABILITIES,
  META_CLIENT_INFO,
  META_PROTOCOL_VERSION,
  type JsonRpcOutcome,
} from '../wire/mcp/index.js';
import { SseDecoder } from '../wire/sse/index.js';
import { UpstreamCredentials, type UserTokenSource } from './client-credentials.js';
import { McpUpstreamError } from './upstream-errors.js';
import {
  UpstreamNotifications,
  WATCH_RETRY_MAX_MS,
  WATCH_RETRY_MIN_MS,
  type ListKind,
  type UpstreamNotification,
} from './upstream-messages.js';

/** Largest upstream answer read, per message (--mcp-max-result-bytes). */
export const DEFAULT_MCP_MAX_RESULT_BYTES = 4 * 1024 * 1024;

export interface McpUpstream {
  /**
   * One request; resolves with the upstream's result or JSON-RPC error, rejects with
   * McpUpstreamError. The notifications the upstream sends about this request while it runs
   * (progress naming its `_meta.progressToken`; on streamable HTTP also its log messages) go to
   * `onNotification`.
   */
  request(
    method: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
    onNotification?: (notification: UpstreamNotification) => void,
  ): Promise<JsonRpcOutcome>;
  /**
   * Calls `listener` with each list the upstream says has changed, until the returned function is
   * called; absent when the upstream cannot announce changes (hosted OpenAPI tools).
   */
  watch?(listener: (kind: ListKind) => void): () => void;
  /** The protocol version agreed with the upstream, once known. */
  readonly protocolVersion: string | undefined;
  /** Releases what the client holds (a stdio server's child process); later requests fail. */
  close?(): void;
}

export interface UpstreamClientOptions {
  transport: UpstreamTransport;
  maxResultBytes: number;
  /** The gateway's name and version, as `clientInfo`. */
  clientInfo: { name: string; version: string };
  nowMs?: () => number;
}

const ACCEPT = 'application/json, text/event-stream';

export class StreamableHttpUpstream implements McpUpstream {
  protocolVersion: string | undefined;
  private sessionId: string | undefined;
  private negotiating: Promise<void> | undefined;
  private nextId = 1;
  private readonly credentials: UpstreamCredentials;
  private readonly notifications = new UpstreamNotifications();
  /** Ends the watch loop (the GET stream, or `subscriptions/listen` on a 2026-07-28 upstream). */
  private watchController: AbortController | undefined;

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
    // Notifications on the POST's own event stream belong to this request; list changes go to the watchers too.
    const onMessage = (notification: UpstreamNotification): void => {
      this.notifications.dispatch(notification);
      onNotification?.(notification);
    };
    try {
      await this.negotiate(combined);
      let outcome = await this.send(method, params, combined, onMessage).catch((error: unknown) => {
        // A pooled connection the upstream closed (a restart) fails the first request on it. Only
        // requests that change nothing upstream are sent again: a tool call may have run.
        if (!(error instanceof McpUpstreamError) || error.reason !== 'unreachable' || method === 'tools/call' || combined.aborted)
          throw error;
        return this.send(method, params, combined, onMessage);
      });
      if (outcome === 'session-lost' || outcome === 'unauthorized') {
        // The upstream forgot our session (restart) or our token: once more, from the start.
        this.reset(outcome === 'unauthorized');
        await this.negotiate(combined);
        outcome = await this.send(method, params, combined, onMessage);
      }
      if (outcome === 'session-lost') throw new McpUpstreamError('the upstream keeps refusing its own session', 'protocol');
      if (outcome === 'unauthorized') throw new McpUpstreamError("the upstream refused the gateway's credentials (401)", 'auth');
      return outcome;
    } catch (error) {
      throw asCallTimeout(this.server, deadline, error);
    }
  }

  /**
   * List changes, from the stream the upstream offers for them: the session's GET stream on a
   * 2025-11-25 upstream, a `subscriptions/listen` request on a 2026-07-28 one. The stream is held
   * while anyone watches, opened again after it ends (back-off WATCH_RETRY_MIN_MS doubling to
   * WATCH_RETRY_MAX_MS), and given up on when the upstream offers none (405, or -32601 to listen)
   * until the next watcher comes.
   */
  watch(listener: (kind: ListKind) => void): () => void {
    const stop = this.notifications.watch(listener);
    if (this.watchController === undefined) {
      const controller = new AbortController();
      this.watchController = controller;
      void this.watchLoop(controller);
    }
    return () => {
      stop();
      if (this.notifications.watched) return;
      this.watchController?.abort();
      this.watchController = undefined;
    };
  }

  private async watchLoop(controller: AbortController): Promise<void> {
    const { signal } = controller;
    let delayMs = WATCH_RETRY_MIN_MS;
    while (!signal.aborted) {
      const outcome = await this.listenOnce(signal, () => {
        delayMs = WATCH_RETRY_MIN_MS;
      }).catch(() => 'failed' as const);
      if (signal.aborted || outcome === 'unsupported') break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      delayMs = Math.min(delayMs * 2, WATCH_RETRY_MAX_MS);
    }
    if (this.watchController === controller) this.watchController = undefined;
  }

  /** One notification stream, read to its end: 'ended' (or 'failed': try again later), or 'unsupported'. */
  private async listenOnce(signal: AbortSignal, connected: () => void): Promise<'ended' | 'failed' | 'unsupported'> {
    await this.negotiate(AbortSignal.any([signal, AbortSignal.timeout(this.server.timeouts.callMs)]));
    const version = this.protocolVersion;
    const stateless = version === MCP_STATELESS_VERSION;
    const headers = await this.headers(version);
    let response: Awaited<ReturnType<UpstreamTransport['send']>>;
    if (stateless) {
      const body = encodeJsonRpcRequest(this.takeId(), 'subscriptions/listen', {
        notifications: { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true },
        _meta: this.statelessMeta(),
      });
      response = await this.options.transport.send(
        { url: this.server.url as string, method: 'POST', headers, body },
        // The stream is idle between changes; it lasts while someone watches.
        { connectMs: this.server.timeouts.connectMs, bodyIdleMs: 0 },
        signal,
      );
    } else {
      const { 'content-type': _json, ...getHeaders } = headers;
      response = await this.options.transport.send(
        { url: this.server.url as string, method: 'GET', headers: { ...getHeaders, accept: 'text/event-stream' } },
        { connectMs: this.server.timeouts.connectMs, bodyIdleMs: 0 },
        signal,
      );
    }
    const { status, body } = response;
    const contentType = headerValue(response.headers['content-type'])?.toLowerCase() ?? '';
    if (status < 200 || status >= 300 || !contentType.startsWith('text/event-stream')) {
      await body.dump();
      if (status === 401 || status === 403) this.reset(true);
      else if (status === 404 && this.sessionId !== undefined) this.reset(false);
      else if (status === 405 || (stateless && status < 500)) return 'unsupported';
      return 'failed';
    }
    connected();
    const decoder = new SseDecoder({ maxEventChars: this.options.maxResultBytes });
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        for (const event of decoder.push(chunk)) {
          let message: unknown;
          try {
            message = event.data.length > 0 ? JSON.parse(event.data) : undefined;
          } catch {
            continue;
          }
          if (!isRecord(message)) continue;
          // The listen request's own answer ends its stream (the upstream closed the subscription).
          if (typeof message.method !== 'string') return 'ended';
          if (message.id === undefined)
            this.notifications.dispatch({ method: message.method, params: isRecord(message.params) ? message.params : {} });
        }
      }
    } finally {
      if (!body.destroyed) body.destroy();
    }
    return 'ended';
  }

  private reset(dropToken: boolean): void {
    this.protocolVersion = undefined;
    this.sessionId = undefined;
    this.negotiating = undefined;
    if (dropToken) this.credentials.refused();
  }

  /** Learns the version to speak: 2026-07-28 when `server/discover` offers it, else the 2025-11-25 handshake. */
  private negotiate(signal: AbortSignal): Promise<void> {
    if (this.protocolVersion !== undefined) return Promise.resolve();
    this.negotiating ??= this.discoverOrInitialize(signal).catch((error: unknown) => {
      this.negotiating = undefined;
      throw error;
    });
    return this.negotiating;
  }

  private async discoverOrInitialize(signal: AbortSignal): Promise<void> {
    const discovered = await this.post(
      encodeJsonRpcRequest(this.takeId(), 'server/discover', { _meta: this.statelessMeta() }),
      MCP_STATELESS_VERSION,
      signal,
    );
    if (discovered.kind === 'answer' && 'result' in discovered.outcome) {
      const versions = discovered.outcome.result.supportedVersions;
      if (Array.isArray(versions) && versions.includes(MCP_STATELESS_VERSION)) {
        this.protocolVersion = MCP_STATELESS_VERSION;
        return;
      }
    }
    if (discovered.kind === 'unauthorized') throw await this.credentialsRefused();
    // No stateless revision on offer (a 400/404/405, a JSON-RPC error or a list without it): the handshake.
    const id = this.takeId();
    const answer = await this.post(
      encodeJsonRpcRequest(id, 'initialize', {
        protocolVersion: MCP_STATEFUL_VERSION,
        capabilities: {},
        clientInfo: this.options.clientInfo,
      }),
      undefined,
      signal,
    );
    if (answer.kind === 'unauthorized') throw await this.credentialsRefused();
    if (answer.kind !== 'answer')
      throw new McpUpstreamError(`initialize failed: ${answer.kind === 'http' ? answer.detail : answer.kind}`, 'protocol');
    if ('error' in answer.outcome) throw new McpUpstreamError(`initialize failed: ${answer.outcome.error.message}`, 'protocol');
    const version = answer.outcome.result.protocolVersion;
    if (typeof version !== 'string') throw new McpUpstreamError('initialize answered without a protocolVersion', 'protocol');
    this.sessionId = answer.sessionId;
    this.protocolVersion = version;
    // The handshake's last step; its answer (202) carries nothing.
    await this.post(encodeJsonRpcNotification('notifications/initialized', {}), version, signal);
  }

  /**
   * The upstream refused our credential while negotiating: it is dropped, and for a per-user
   * server the caller is asked to sign in again (headers() then throws McpLoginRequiredError).
   */
  private async credentialsRefused(): Promise<McpUpstreamError> {
    this.credentials.refused();
    if (this.server.auth.type === 'oauth2PerUser') await this.credentials.headers();
    return new McpUpstreamError("the upstream refused the gateway's credentials (401)", 'auth');
  }

  private async send(
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
    onNotification: (notification: UpstreamNotification) => void,
  ): Promise<JsonRpcOutcome | 'session-lost' | 'unauthorized'> {
    const version = this.protocolVersion ?? MCP_STATEFUL_VERSION;
    const stateless = version === MCP_STATELESS_VERSION;
    const body = encodeJsonRpcRequest(
      this.takeId(),
      method,
      stateless ? { ...params, _meta: { ...meta(params), ...this.statelessMeta() } } : params,
    );
    const answer = await this.post(body, version, signal, onNotification);
    switch (answer.kind) {
      case 'answer':
        return answer.outcome;
      case 'unauthorized':
        return 'unauthorized';
      case 'session-lost':
        return 'session-lost';
      case 'accepted':
        throw new McpUpstreamError('the upstream accepted a request without answering it', 'protocol');
      case 'http':
        throw new McpUpstreamError(answer.detail, 'protocol');
    }
  }

  private statelessMeta(): Record<string, unknown> {
    return { [META_PROTOCOL_VERSION]: MCP_STATELESS_VERSION, [META_CLIENT_CAPABILITIES]: {}, [META_CLIENT_INFO]: this.options.clientInfo };
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = id >= Number.MAX_SAFE_INTEGER ? 1 : id + 1;
    return id;
  }

  private async headers(version: string | undefined): Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...(await this.credentials.headers()), 'content-type': 'application/json', accept: ACCEPT };
    if (version !== undefined) headers[MCP_PROTOCOL_VERSION_HEADER] = version;
    if (this.sessionId !== undefined) headers[MCP_SESSION_HEADER] = this.sessionId;
    return headers;
  }

  /** One POST and the JSON-RPC answer in it (plain JSON or the first matching message of an SSE stream). */
  private async post(
    body: string,
    version: string | undefined,
    signal: AbortSignal,
    onNotification?: (notification: UpstreamNotification) => void,
  ): Promise<PostAnswer> {
    const id = requestId(body);
    let response: Awaited<ReturnType<UpstreamTransport['send']>>;
    try {
      response = await this.options.transport.send(
        { url: this.server.url as string, method: 'POST', headers: await this.headers(version), body },
        { connectMs: this.server.timeouts.connectMs, bodyIdleMs: this.server.timeouts.callMs },
        signal,
      );
    } catch (error) {
      if (error instanceof McpUpstreamError) throw error;
      throw new McpUpstreamError(`cannot reach the upstream: ${describeTransportError(error)}`, 'unreachable', { cause: error });
    }
    const { status, headers } = response;
    if (status === 401 || status === 403) {
      await response.body.dump();
      return { kind: 'unauthorized' };
    }
    if (status === 404 && this.sessionId !== undefined) {
      await response.body.dump();
      return { kind: 'session-lost' };
    }
    if (status === 202 || id === undefined) {
      await response.body.dump();
      return status >= 200 && status < 300 ? { kind: 'accepted' } : { kind: 'http', detail: `upstream answered HTTP ${status}` };
    }
    const sessionId = headerValue(headers[MCP_SESSION_HEADER]);
    const contentType = headerValue(headers['content-type'])?.toLowerCase() ?? '';
    if (status < 200 || status >= 300) {
      // A JSON-RPC error in a 4xx body is still an answer (discover on an old server, for one).
      const text = await readBounded(response.body, 64 * 1024, true);
      const outcome = parseJson(text, id);
      if (outcome !== undefined) return { kind: 'answer', outcome, sessionId };
      return { kind: 'http', detail: `upstream answered HTTP ${status}` };
    }
    if (contentType.startsWith('text/event-stream')) {
      const outcome = await readSseAnswer(response.body, id, this.options.maxResultBytes, onNotification);
      return { kind: 'answer', outcome, sessionId };
    }
    const text = await readBounded(response.body, this.options.maxResultBytes, false);
    const outcome = parseJson(text, id);
    if (outcome === undefined)
      throw new McpUpstreamError('the upstream answered with something other than a JSON-RPC response', 'protocol');
    return { kind: 'answer', outcome, sessionId };
  }
}

type PostAnswer =
  | { kind: 'answer'; outcome: JsonRpcOutcome; sessionId: string | undefined }
  | { kind: 'accepted' }
  | { kind: 'unauthorized' }
  | { kind: 'session-lost' }
  | { kind: 'http'; detail: string };

type Body = Awaited<ReturnType<UpstreamTransport['send']>>['body'];

function meta(params: Record<string, unknown>): Record<string, unknown> {
  return isRecord(params._meta) ? params._meta : {};
}

function requestId(body: string): number | undefined {
  const parsed = JSON.parse(body) as { id?: unknown };
  return typeof parsed.id === 'number' ? parsed.id : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function describeTransportError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  // The egress guard's own message names the address: callers get the flag only.
  if (code === 'SWITCHYARD_EGRESS_DENIED') return 'refused by the egress guard (its address is in --deny-upstream-cidrs)';
  return typeof code === 'string' ? `${code}` : error.message;
}

/** The server's call timeout, and a signal that fires on it or on the caller's signal, whichever comes first. */
export function callDeadline(server: CompiledMCPServer, signal: AbortSignal | undefined): { deadline: AbortSignal; combined: AbortSignal } {
  const deadline = AbortSignal.timeout(server.timeouts.callMs);
  return { deadline, combined: signal === undefined ? deadline : AbortSignal.any([signal, deadline]) };
}

/** An error raised once the call timeout fired, reported as that timeout (an oversized answer keeps its own reason). */
export function asCallTimeout(server: CompiledMCPServer, deadline: AbortSignal, error: unknown): unknown {
  if (!deadline.aborted || (error instanceof McpUpstreamError && error.reason === 'too_large')) return error;
  return new McpUpstreamError(`no answer within the server's call timeout (${server.timeouts.callMs} ms)`, 'timeout', { cause: error });
}

export function tooLargeError(limit: number): McpUpstreamError {
  return new McpUpstreamError(`the upstream's answer is larger than the ${limit}-byte limit (--mcp-max-result-bytes)`, 'too_large');
}

/** The body as text, refusing (or, for error bodies, cutting) past `limit` bytes. */
async function readBounded(body: Body, limit: number, cut: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) {
      body.destroy();
      if (cut) break;
      throw tooLargeError(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string, id: number): JsonRpcOutcome | undefined {
  try {
    return decodeJsonRpcResponse(JSON.parse(text), id);
  } catch {
    return undefined;
  }
}

/**
 * Reads an SSE answer until the response to `id`; notifications before it go to `onNotification`
 * (other messages are skipped). Notifications count against `limit` like the answer: it bounds
 * the whole stream.
 */
async function readSseAnswer(
  body: Body,
  id: number,
  limit: number,
  onNotification: ((notification: UpstreamNotification) => void) | undefined,
): Promise<JsonRpcOutcome> {
  const decoder = new SseDecoder({ maxEventChars: limit });
  let received = 0;
  const answer = (data: string): JsonRpcOutcome | undefined => {
    if (data.length === 0) return undefined;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return undefined;
    }
    if (isRecord(message) && typeof message.method === 'string' && message.id === undefined) {
      onNotification?.({ method: message.method, params: isRecord(message.params) ? message.params : {} });
      return undefined;
    }
    try {
      return decodeJsonRpcResponse(message, id);
    } catch {
      return undefined;
    }
  };
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > limit) throw tooLargeError(limit);
      for (const event of decoder.push(chunk)) {
        const outcome = answer(event.data);
        if (outcome !== undefined) return outcome;
      }
    }
    for (const event of decoder.end()) {
      const outcome = answer(event.data);
      if (outcome !== undefined) return outcome;
    }
  } finally {
    if (!body.destroyed) body.destroy();
  }
  return { error: { code: JSON_RPC_ERRORS.internalError, message: 'the upstream closed its event stream without answering' } };
}
