// OpenAI's rate-limit headers, on every answer to a key that has the limit:
// x-ratelimit-limit-requests, -remaining-requests, -reset-requests and the -tokens variants.
// Resets use OpenAI's duration syntax ("120ms", "8.64s", "1m0s").
import type { LimitState, RateLimitState } from './rate-limiter.js';

export function formatResetDuration(ms: number): string {
  const rounded = Math.max(0, Math.ceil(ms));
  if (rounded < 1000) return `${rounded}ms`;
  const minutes = Math.floor(rounded / 60_000);
  const seconds = (rounded % 60_000) / 1000;
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  return minutes > 0 ? `${minutes}m${secondsText}` : secondsText;
}

function put(headers: Record<string, string>, suffix: 'requests' | 'tokens', state: LimitState): void {
  headers[`x-ratelimit-limit-${suffix}`] = String(state.limit);
  headers[`x-ratelimit-remaining-${suffix}`] = String(state.remaining);
  headers[`x-ratelimit-reset-${suffix}`] = formatResetDuration(state.resetMs);
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> | undefined {
  if (state.requests === undefined && state.tokens === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (state.requests !== undefined) put(headers, 'requests', state.requests);
  if (state.tokens !== undefined) put(headers, 'tokens', state.tokens);
  return headers;
}
