// Classifies what undici and the socket layer throw into the failure kinds the retry policy
// speaks. Messages are written here, never copied from the request, so no header (and no
// credential) can leak into them.
import { UpstreamFailure } from '../errors/upstream-failure.js';
import { EGRESS_REFUSED_MESSAGE, EgressDeniedError } from './egress-guard.js';

export type TimeoutPhase = 'connect' | 'firstByte' | 'streamIdle' | 'total';

export function upstreamTimeout(phase: TimeoutPhase, ms: number): UpstreamFailure {
  return new UpstreamFailure('Timeout', 0, `${phase} timeout after ${ms} ms`);
}

/** `timeouts` gives the configured values so the message can name the one that fired. */
export function classifyTransportError(
  error: unknown,
  timeouts: { connectMs: number; firstByteMs: number; streamIdleMs: number },
): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  const code = errorCode(error);
  // Not retried: another attempt would resolve to the same refused address. The caller learns
  // only that the backend was refused; the address stays in the cause, for the log line.
  if (error instanceof EgressDeniedError || (code === 'SWITCHYARD_EGRESS_DENIED' && error instanceof Error))
    return new UpstreamFailure('Other', 0, EGRESS_REFUSED_MESSAGE, { cause: error });
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return upstreamTimeout('connect', timeouts.connectMs);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return upstreamTimeout('firstByte', timeouts.firstByteMs);
    case 'UND_ERR_BODY_TIMEOUT':
      return upstreamTimeout('streamIdle', timeouts.streamIdleMs);
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UpstreamFailure('ConnectError', 0, `connect failed (${code})`);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new UpstreamFailure('ConnectError', 0, `connection lost (${code})`);
    default: {
      const cause = error instanceof Error ? error.cause : undefined;
      if (errorCode(cause) !== undefined) return classifyTransportError(cause, timeouts);
      return new UpstreamFailure('Other', 0, `upstream transport error${code === undefined ? '' : ` (${code})`}`);
    }
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
