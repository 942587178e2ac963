// An answer of `/mcp` written as a server-sent event stream (the streamable HTTP transport's
// `text/event-stream` answers): the notification stream a 2025-11-25 caller opens with GET, a
// 2026-07-28 `subscriptions/listen`, and a `tools/call` whose progress is relayed before its
// result. Each JSON-RPC message is one `message` event.
//
// Bounded: a caller that does not read lets messages pile up in the socket's buffer; past
// MCP_STREAM_MAX_QUEUED messages written while the buffer waits to drain, the stream is closed
// (the caller lists again when it reconnects: a change notification is a hint, not data).
import type { ServerResponse } from 'node:http';

/** Messages written to a stream whose socket buffer has not drained, before the stream is closed. */
const MCP_STREAM_MAX_QUEUED = 64;
/** A comment line every this often keeps proxies from closing a quiet stream and finds callers that left. */
const MCP_STREAM_HEARTBEAT_MS = 30_000;

export interface McpEventStream {
  /** Sends one JSON-RPC message; false when the stream is closed (by the caller, or for its queue). */
  send(message: string): boolean;
  /** Ends the stream (after the messages already sent). */
  end(): void;
  /** Aborts when the stream ends, whoever ends it. */
  readonly closed: AbortSignal;
}

/**
 * Opens `res` as an event stream with `headers` (plus the event-stream ones). `heartbeat` sends a
 * comment every MCP_STREAM_HEARTBEAT_MS: for streams that may stay quiet for long.
 */
export function openEventStream(
  res: ServerResponse,
  headers: Record<string, string>,
  options: { readonly heartbeat: boolean; readonly maxQueued?: number },
): McpEventStream {
  const maxQueued = options.maxQueued ?? MCP_STREAM_MAX_QUEUED;
  const controller = new AbortController();
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  const finish = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    if (!controller.signal.aborted) controller.abort();
  };
  res.on('close', finish);
  res.on('drain', () => {
    queued = 0;
  });
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    // Proxies such as nginx buffer responses unless told not to; an event must arrive when sent.
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  const write = (text: string): boolean => {
    if (controller.signal.aborted || res.destroyed || res.writableEnded) return false;
    if (res.writableNeedDrain && ++queued > maxQueued) {
      // The caller stopped reading: drop it rather than hold its messages without bound.
      res.destroy();
      finish();
      return false;
    }
    res.write(text);
    return true;
  };
  if (options.heartbeat) {
    timer = setInterval(() => write(': keep-alive\n\n'), MCP_STREAM_HEARTBEAT_MS);
    timer.unref();
  }
  return {
    send: (message) => write(`event: message\ndata: ${message}\n\n`),
    end() {
      if (!res.writableEnded && !res.destroyed) res.end();
      finish();
    },
    closed: controller.signal,
  };
}
