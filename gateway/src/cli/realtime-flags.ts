// The --realtime-* flags: bounds of realtime sessions (GET /v1/realtime), kept apart from
// gateway-flags.ts so the endpoint's flags, help text and defaults sit together.
import { durationFlag, FlagError } from '@switchyard/compiler';
import { DEFAULT_REALTIME_LIMITS, type RealtimeLimits } from '../pipeline/realtime-operation.js';

export const REALTIME_FLAG_OPTIONS = {
  'realtime-max-frame-bytes': { type: 'string' },
  'realtime-max-buffered-bytes': { type: 'string' },
  'realtime-connect-timeout': { type: 'string' },
  'realtime-idle-timeout': { type: 'string' },
} as const;

const seconds = (ms: number): string => `${ms / 1000}s`;

export const REALTIME_USAGE = `  --realtime-max-frame-bytes <n>
                               largest WebSocket message of a realtime session, either way (default
                               ${DEFAULT_REALTIME_LIMITS.maxFrameBytes}); a larger one closes the session with 1009 naming the limit
  --realtime-max-buffered-bytes <n>
                               bytes a realtime session may hold unsent per direction before the faster side
                               is paused (default ${DEFAULT_REALTIME_LIMITS.maxBufferedBytes})
  --realtime-connect-timeout <duration>
                               longest wait for a realtime upstream's handshake before the next backend is
                               tried (default ${seconds(DEFAULT_REALTIME_LIMITS.connectTimeoutMs)})
  --realtime-idle-timeout <duration>
                               a realtime session with no event either way for this long is closed
                               (default ${seconds(DEFAULT_REALTIME_LIMITS.idleTimeoutMs)})`;

function bytes(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || !Number.isSafeInteger(value))
    throw new FlagError(`--${name} must be a positive whole number of bytes, got "${text}"`);
  return value;
}

export function parseRealtimeFlags(v: Readonly<Record<string, string | boolean | undefined>>): RealtimeLimits {
  const text = (name: keyof typeof REALTIME_FLAG_OPTIONS): string | undefined => {
    const value = v[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    maxFrameBytes: bytes('realtime-max-frame-bytes', text('realtime-max-frame-bytes'), DEFAULT_REALTIME_LIMITS.maxFrameBytes),
    maxBufferedBytes: bytes('realtime-max-buffered-bytes', text('realtime-max-buffered-bytes'), DEFAULT_REALTIME_LIMITS.maxBufferedBytes),
    connectTimeoutMs: durationFlag(
      'realtime-connect-timeout',
      text('realtime-connect-timeout'),
      seconds(DEFAULT_REALTIME_LIMITS.connectTimeoutMs),
      {
        positive: true,
      },
    ),
    idleTimeoutMs: durationFlag('realtime-idle-timeout', text('realtime-idle-timeout'), seconds(DEFAULT_REALTIME_LIMITS.idleTimeoutMs), {
      positive: true,
    }),
  };
}
