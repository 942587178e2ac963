// Tenancy: a key sees the routes of its own namespace and of the shared namespaces, so two routes
// "meet" when they share a namespace or either one is shared. Routes that meet may not claim one
// model name or alias: walking from the oldest, each route is accepted unless a route accepted
// before it (hence older) that it meets already claims one of its names.

import type { CompiledRoute } from '../table-types.js';

export interface RouteConflict {
  routeId: string;
  message: string;
}

export function routesMeet(a: { namespace: string }, b: { namespace: string }, shared: ReadonlySet<string>): boolean {
  return a.namespace === b.namespace || shared.has(a.namespace) || shared.has(b.namespace);
}

export function routeNames(route: CompiledRoute): string[] {
  return [route.model, ...route.aliases];
}

/** `oldestFirst` must already be in age order; returns the accepted routes and the rejected ones. */
export function resolveRouteConflicts(
  oldestFirst: readonly CompiledRoute[],
  shared: ReadonlySet<string>,
): { accepted: CompiledRoute[]; conflicts: RouteConflict[] } {
  const accepted: CompiledRoute[] = [];
  const conflicts: RouteConflict[] = [];
  for (const route of oldestFirst) {
    let conflict: RouteConflict | undefined;
    for (const name of routeNames(route)) {
      const owner = accepted.find((other) => routesMeet(route, other, shared) && routeNames(other).includes(name));
      if (owner) {
        conflict = {
          routeId: route.id,
          message: `model name "${name}" is already claimed by the older ModelRoute ${owner.id}, visible to the same keys`,
        };
        break;
      }
    }
    if (conflict) conflicts.push(conflict);
    else accepted.push(route);
  }
  return { accepted, conflicts };
}

/** Key namespace -> public name -> route id, for each namespace that has keys. */
export function buildModelsByNamespace(
  accepted: readonly CompiledRoute[],
  keyNamespaces: readonly string[],
  shared: ReadonlySet<string>,
): Record<string, Record<string, string>> {
  const result: Record<string, Record<string, string>> = {};
  for (const namespace of [...new Set(keyNamespaces)].sort()) {
    const names: Record<string, string> = {};
    for (const route of accepted) {
      if (route.namespace !== namespace && !shared.has(route.namespace)) continue;
      for (const name of routeNames(route)) names[name] = route.id;
    }
    result[namespace] = Object.fromEntries(Object.entries(names).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return result;
}
