// `x-switchyard-cache-threshold: <number>`: a caller's per-request semantic threshold. It can
// only make matching stricter: the route's threshold is the quality floor its owner chose from
// the evaluation (docs/cache.md), so a lower value counts as the route's. A value that is not a
// number in (0, 1] is the caller's mistake and is refused with a 400 naming the header.
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../../errors/gateway-error.js';

const THRESHOLD_HEADER = 'x-switchyard-cache-threshold';

export function effectiveThreshold(headers: IncomingHttpHeaders, routeThreshold: number): number {
  const raw = headers[THRESHOLD_HEADER];
  if (raw === undefined) return routeThreshold;
  const text = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  const value = /^(0(\.[0-9]+)?|1(\.0+)?|\.[0-9]+)$/.test(text) ? Number(text) : Number.NaN;
  if (!(value > 0 && value <= 1)) {
    throw new GatewayError(
      'invalid_request',
      `${THRESHOLD_HEADER} must be a number greater than 0 and at most 1, got "${text.slice(0, 32)}"`,
      {
        code: 'invalid_cache_threshold',
        param: THRESHOLD_HEADER,
      },
    );
  }
  return Math.max(value, routeThreshold);
}
