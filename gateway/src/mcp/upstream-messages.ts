// What the two transports that carry answers apart from their requests share: the legacy SSE
// transport (answers arrive on the event stream) and stdio (answers arrive on the child's stdout).
// Each keeps a map of requests waiting for an answer by id; every message the upstream sends goes
// through routeUpstreamMessage, which settles the request it answers or returns the reply to a
// request the upstream made of its client.
import { isRecord } from '@switchyard/compiler';
import {
  decodeJsonRpcResponse,
  encodeJsonRpcError,
  encodeJsonRpcNotification,
  encodeJsonRpcResult,
  JSON_RPC_ERRORS,
  MCP_STATEFUL_VERSION,
  type JsonRpcOutcome,
} from '../wire/mcp/index.js';
import { McpUpstreamError } from './upstream-errors.js';

export interface PendingAnswer {
  resolve(outcome: JsonRpcOutcome): void;
  reject(error: McpUpstreamError): void;
}

/**
 * One parsed message from the upstream. An answer settles its waiting request; a request of the
 * upstream's own (ping, sampling, roots) gets the reply returned here to send back: only ping is
 * served, the rest are refused, since the gateway has no model or roots to lend an upstream.
 * Notifications go to `notifications` (list changes to watchers, progress to the request whose
 * token it names); the rest, and answers nobody waits for, are dropped.
 */
export function routeUpstreamMessage(
  message: unknown,
  pending: Map<number, PendingAnswer>,
  notifications?: UpstreamNotifications,
): string | undefined {
  if (!isRecord(message)) return undefined;
  const { id } = message;
  if (typeof message.method === 'string') {
    if (typeof id !== 'string' && typeof id !== 'number') {
      notifications?.dispatch({ method: message.method, params: isRecord(message.params) ? message.params : {} });
      return undefined;
    }
    return message.method === 'ping'
      ? encodeJsonRpcResult(id, {})
      : encodeJsonRpcError(id, JSON_RPC_ERRORS.methodNotFound, `the gateway does not serve ${message.method.slice(0, 64)}`);
  }
  if (typeof id !== 'number') return undefined;
  const waiting = pending.get(id);
  const outcome = waiting === undefined ? undefined : decodeJsonRpcResponse(message, id);
  if (waiting !== undefined && outcome !== undefined) {
    pending.delete(id);
    waiting.resolve(outcome);
  }
  return undefined;
}

/**
 * Registers request `id` in `pending`, sends it with `send`, and waits for its answer or for
 * `signal`, whichever comes first; the entry is removed either way.
 */
export async function sendAndAwaitAnswer(
  pending: Map<number, PendingAnswer>,
  id: number,
  send: () => Promise<void>,
  signal: AbortSignal,
): Promise<JsonRpcOutcome> {
  const answer = new Promise<JsonRpcOutcome>((resolve, reject) => {
    pending.set(id, { resolve, reject });
  });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // Either may settle while the other is awaited (or before either is): neither goes unhandled.
  answer.catch(() => undefined);
  aborted.catch(() => undefined);
  try {
    await send();
    return await Promise.race([answer, aborted]);
  } finally {
    pending.delete(id);
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/** `promise`, or the abort reason once `signal` fires first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The 2025-11-25 handshake on a session: `initialize` (sent with `request`), then the
 * `notifications/initialized` message (sent with `notify`); resolves with the version agreed.
 */
export async function initializeSession(
  request: (method: string, params: Record<string, unknown>) => Promise<JsonRpcOutcome>,
  notify: (message: string) => Promise<void>,
  clientInfo: { name: string; version: string },
): Promise<string> {
  const outcome = await request('initialize', { protocolVersion: MCP_STATEFUL_VERSION, capabilities: {}, clientInfo });
  if ('error' in outcome) throw new McpUpstreamError(`initialize failed: ${outcome.error.message}`, 'protocol');
  const version = outcome.result.protocolVersion;
  if (typeof version !== 'string') throw new McpUpstreamError('initialize answered without a protocolVersion', 'protocol');
  await notify(encodeJsonRpcNotification('notifications/initialized', {}));
  return version;
}

/** First wait before a watched upstream stream that ended is opened again; it doubles up to WATCH_RETRY_MAX_MS. */
export const WATCH_RETRY_MIN_MS = 1000;
export const WATCH_RETRY_MAX_MS = 30_000;

/** A notification an upstream sent. */
export interface UpstreamNotification {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/** The lists whose changes MCP announces (`notifications/<kind>/list_changed`). */
export type ListKind = 'tools' | 'prompts' | 'resources';

const LIST_CHANGED: Record<string, ListKind> = {
  'notifications/tools/list_changed': 'tools',
  'notifications/prompts/list_changed': 'prompts',
  'notifications/resources/list_changed': 'resources',
};

/** The list a `notifications/.../list_changed` method announces a change of; undefined for any other method. */
function listChangedKind(method: string): ListKind | undefined {
  return Object.hasOwn(LIST_CHANGED, method) ? LIST_CHANGED[method] : undefined;
}

/**
 * Where an upstream's notifications go: list changes to every watcher (the gateway's
 * notification hub, while a caller's stream needs this server), progress to the one request
 * whose progress token it names. A transport whose messages share one channel (the legacy SSE
 * stream, a stdio child) keeps one of these; so does the streamable HTTP client for its GET stream.
 */
export class UpstreamNotifications {
  private readonly watchers = new Set<(kind: ListKind) => void>();
  private readonly byToken = new Map<string | number, (notification: UpstreamNotification) => void>();

  /** Calls `listener` on each list change until the returned function is called. */
  watch(listener: (kind: ListKind) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  get watched(): boolean {
    return this.watchers.size > 0;
  }

  /**
   * While a request whose `params._meta.progressToken` is set runs, progress notifications
   * naming that token go to `listener`; the returned function ends that.
   */
  track(params: Record<string, unknown>, listener: ((notification: UpstreamNotification) => void) | undefined): () => void {
    const token = isRecord(params._meta) ? params._meta.progressToken : undefined;
    if (listener === undefined || (typeof token !== 'string' && typeof token !== 'number')) return () => undefined;
    this.byToken.set(token, listener);
    return () => {
      if (this.byToken.get(token) === listener) this.byToken.delete(token);
    };
  }

  dispatch(notification: UpstreamNotification): void {
    const kind = listChangedKind(notification.method);
    if (kind !== undefined) {
      for (const watcher of this.watchers) watcher(kind);
      return;
    }
    if (notification.method === 'notifications/progress') {
      const token = notification.params.progressToken;
      if (typeof token === 'string' || typeof token === 'number') this.byToken.get(token)?.(notification);
    }
  }
}
