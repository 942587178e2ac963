// Stage 7 of a realtime session: one attempt at the upstream's realtime socket, for the retry
// stage to fall back over (fallback happens only here, at connect time: once events flow, a
// session is bound to its upstream). The handshake is bounded by --realtime-connect-timeout and
// goes through the egress guard like every upstream call.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { UnsupportedFeatureError } from '../errors/unsupported-feature-error.js';
import { failureKindForStatus, retryAfterMsFromHeaders, UpstreamFailure } from '../errors/upstream-failure.js';
import { deniedLiteralAddress, EGRESS_REFUSED_MESSAGE, EgressDeniedError, type EgressGuard } from '../transport/egress-guard.js';
import { ClientDisconnectedError } from './exchange.js';
import type { AttemptTarget } from './retry.js';

/** How much of a refused handshake's body is read for the failure's message. */
const MAX_REFUSAL_BODY_BYTES = 4096;

export interface RealtimeConnectOptions {
  guard: EgressGuard;
  connectTimeoutMs: number;
  maxFrameBytes: number;
  /** Caller headers that select a protocol version upstream (`openai-beta`). */
  callerHeaders: Readonly<Record<string, string>>;
  clientSignal: AbortSignal;
}

/** Opens the upstream socket of `target`, paused (the relay resumes it once it listens); throws UpstreamFailure (retried, fallen back) or ClientDisconnectedError. */
export function connectRealtimeUpstream(target: AttemptTarget, options: RealtimeConnectOptions): Promise<WebSocket> {
  const adapter = target.backend.adapter;
  if (adapter.kind !== 'http' || adapter.realtimeUpstream === undefined)
    return Promise.reject(new UnsupportedFeatureError('realtime sessions (GET /v1/realtime)', adapter.provider));
  let request: ReturnType<NonNullable<typeof adapter.realtimeUpstream>>;
  try {
    request = adapter.realtimeUpstream(target.backendTarget, options.callerHeaders);
  } catch (error) {
    return Promise.reject(new UpstreamFailure('Other', 0, error instanceof Error ? error.message : String(error)));
  }
  const url = new URL(request.url);
  const denied = deniedLiteralAddress(options.guard, url.hostname);
  if (denied !== undefined)
    return Promise.reject(
      new UpstreamFailure('ConnectError', 0, EGRESS_REFUSED_MESSAGE, { cause: new EgressDeniedError(url.hostname, denied) }),
    );
  if (options.clientSignal.aborted) return Promise.reject(new ClientDisconnectedError());
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url, {
      headers: request.headers,
      handshakeTimeout: options.connectTimeoutMs,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      followRedirects: false,
      lookup: options.guard.lookup,
    });
    const onAbort = (): void => {
      socket.terminate();
      fail(new ClientDisconnectedError());
    };
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      options.clientSignal.removeEventListener('abort', onAbort);
      reject(error);
    };
    options.clientSignal.addEventListener('abort', onAbort, { once: true });
    socket.once('open', () => {
      if (settled) return;
      settled = true;
      // Upstreams send session.created at once; it waits in the socket until the relay listens (it resumes).
      socket.pause();
      options.clientSignal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('unexpected-response', (_req, response: IncomingMessage) => {
      readRefusal(response).then((body) => {
        socket.terminate();
        const status = response.statusCode ?? 0;
        const retryAfterMs = retryAfterMsFromHeaders(response.headers);
        fail(
          new UpstreamFailure(failureKindForStatus(status), status, refusalMessage(status, body), {
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          }),
        );
      }, fail);
    });
    socket.on('error', (error: Error) => {
      const timedOut = /handshake has timed out/i.test(error.message);
      fail(
        new UpstreamFailure(
          timedOut ? 'Timeout' : 'ConnectError',
          0,
          timedOut
            ? `realtime upstream did not accept the connection within ${options.connectTimeoutMs} ms (--realtime-connect-timeout)`
            : error instanceof EgressDeniedError
              ? EGRESS_REFUSED_MESSAGE
              : `realtime upstream connection failed: ${error.message}`,
          { cause: error },
        ),
      );
    });
  });
}

function readRefusal(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size < MAX_REFUSAL_BODY_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', () => resolve(Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BODY_BYTES).toString('utf8')));
    response.on('error', () => resolve(''));
  });
}

/** The upstream's own error message when its body is an OpenAI-style error, else the status. */
function refusalMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // not JSON: the status says enough
  }
  return `realtime upstream refused the connection with HTTP ${status}`;
}
