// Exact-path lookup first (one Map get), then the few parameterized prefixes. Built once at
// startup from front-door-routes.ts.
import type { FrontDoorBinding, FrontDoorRoute, PathMatch } from './front-door-routes.js';

export interface RoutedRequest {
  binding: FrontDoorBinding;
  match: PathMatch | undefined;
}

export interface FrontDoorRouter {
  /** `path` without the query string. */
  find(path: string): RoutedRequest | undefined;
}

export function createFrontDoorRouter(routes: readonly FrontDoorRoute[]): FrontDoorRouter {
  const exact = new Map<string, RoutedRequest>();
  const prefixed: Array<{ prefix: string; match(rest: string): PathMatch | undefined; binding: FrontDoorBinding }> = [];
  for (const route of routes) {
    if (typeof route.path === 'string') {
      if (exact.has(route.path)) throw new Error(`two front doors claim ${route.path}`);
      exact.set(route.path, { binding: route.binding, match: undefined });
    } else {
      prefixed.push({ prefix: route.path.prefix, match: route.path.match, binding: route.binding });
    }
  }
  // Longest prefix first, so a more specific door wins.
  prefixed.sort((a, b) => b.prefix.length - a.prefix.length);
  return {
    find(path) {
      const hit = exact.get(path);
      if (hit !== undefined) return hit;
      for (const entry of prefixed) {
        if (!path.startsWith(entry.prefix)) continue;
        const match = entry.match(path.slice(entry.prefix.length));
        if (match !== undefined) return { binding: entry.binding, match };
      }
      return undefined;
    },
  };
}
