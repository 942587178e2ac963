// The caller's `Cache-Control` request header, as far as the response cache cares:
// `no-cache` skips the lookup (the fresh answer is still stored), `no-store` skips the cache.
import type { IncomingHttpHeaders } from 'node:http';

export interface CacheDirectives {
  lookup: boolean;
  store: boolean;
}

export function cacheDirectives(headers: IncomingHttpHeaders): CacheDirectives {
  const value = headers['cache-control'];
  if (value === undefined) return { lookup: true, store: true };
  const directives = new Set(
    (Array.isArray(value) ? value.join(',') : value).split(',').map((directive) => directive.trim().toLowerCase().split('=')[0]),
  );
  if (directives.has('no-store')) return { lookup: false, store: false };
  if (directives.has('no-cache')) return { lookup: false, store: true };
  return { lookup: true, store: true };
}
