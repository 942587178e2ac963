// Tenancy: a key sees the routes of its own namespace and of the shared namespaces, so two routes
// "meet" when they share a namespace or either one is shared. Routes that meet may not claim one
// model name or alias: walking from the oldest, each route is accepted unless a route accepted
// before it (hence older) that it meets already claims one of its names.

import type { CompiledRoute } from '../table-types.js';

interface RouteConflict {
  routeId: string;
  message: string;
}

export function routesMeet(a: { namespace: string }, b: { namespace: string }, shared: ReadonlySet<string>): boolean {
  return a.namespace === b.namespace || shared.has(a.namespace) || shared.has(b.namespace);
}

export function routeNames(route: CompiledRoute): string[] {
  return [route.model, ...route.aliases];
}

/** Public name -> the routes claiming it, in the order they were added. */
export class RoutesByName {
  private readonly claims = new Map<string, CompiledRoute[]>();

  constructor(routes: readonly CompiledRoute[] = []) {
    for (const route of routes) this.add(route);
  }

  add(route: CompiledRoute): void {
    for (const name of routeNames(route)) {
      const claimants = this.claims.get(name);
      if (!claimants) this.claims.set(name, [route]);
      else if (claimants[claimants.length - 1] !== route) claimants.push(route);
    }
  }

  /** The first route added that claims `name` and meets `route`, `except` not counted. */
  claimantMeeting(route: CompiledRoute, name: string, shared: ReadonlySet<string>, except?: CompiledRoute): CompiledRoute | undefined {
    return this.claims.get(name)?.find((other) => other !== except && routesMeet(route, other, shared));
  }
}

/** `oldestFirst` must already be in age order; returns the accepted routes and the rejected ones. */
export function resolveRouteConflicts(
  oldestFirst: readonly CompiledRoute[],
  shared: ReadonlySet<string>,
): { accepted: CompiledRoute[]; conflicts: RouteConflict[] } {
  const accepted: CompiledRoute[] = [];
  const acceptedByName = new RoutesByName();
  const conflicts: RouteConflict[] = [];
  for (const route of oldestFirst) {
    let conflict: RouteConflict | undefined;
    for (const name of routeNames(route)) {
      const owner = acceptedByName.claimantMeeting(route, name, shared);
      if (owner) {
        conflict = {
          routeId: route.id,
          message: `model name "${name}" is already claimed by the older ModelRoute ${owner.id}, visible to the same keys`,
        };
        break;
      }
    }
    if (conflict) {
      conflicts.push(conflict);
    } else {
      accepted.push(route);
      acceptedByName.add(route);
    }
  }
  return { accepted, conflicts };
}

/** Key namespace -> public name -> route id, for each namespace that has keys. */
export function buildModelsByNamespace(
  accepted: readonly CompiledRoute[],
  keyNamespaces: readonly string[],
  shared: ReadonlySet<string>,
): Record<string, Record<string, string>> {
  // Each key namespace sees its own routes and the shared ones; grouping once keeps this linear
  // in namespaces + routes. Positions keep accepted order, in which a later claim of a name wins.
  const sharedRoutes: number[] = [];
  const routesOfNamespace = new Map<string, number[]>();
  accepted.forEach((route, position) => {
    if (shared.has(route.namespace)) {
      sharedRoutes.push(position);
      return;
    }
    const list = routesOfNamespace.get(route.namespace);
    if (list) list.push(position);
    else routesOfNamespace.set(route.namespace, [position]);
  });
  const result: Record<string, Record<string, string>> = {};
  for (const namespace of [...new Set(keyNamespaces)].sort()) {
    const own = routesOfNamespace.get(namespace) ?? [];
    const visible = own.length === 0 ? sharedRoutes : [...sharedRoutes, ...own].sort((a, b) => a - b);
    const names: Record<string, string> = {};
    for (const position of visible) {
      const route = accepted[position] as CompiledRoute;
      for (const name of routeNames(route)) names[name] = route.id;
    }
    result[namespace] = Object.fromEntries(Object.entries(names).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return result;
}
