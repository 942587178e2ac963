import { describe, expect, it } from '@jest/globals';
import type { CompiledRoute } from '../src/index.js';
import { buildModelsByNamespace, resolveRouteConflicts, routeNames, routesMeet } from '../src/compile/resolve-route-conflicts.js';
import { seededRandom } from './support/seeded-random.js';

// The rules written as directly as possible (every route against every route): the indexed
// implementation must decide exactly the same.
function referenceResolve(oldestFirst: readonly CompiledRoute[], shared: ReadonlySet<string>) {
  const accepted: CompiledRoute[] = [];
  const conflicts: { routeId: string; message: string }[] = [];
  for (const route of oldestFirst) {
    let conflict: { routeId: string; message: string } | undefined;
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

function referenceModels(accepted: readonly CompiledRoute[], keyNamespaces: readonly string[], shared: ReadonlySet<string>) {
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

function routeOf(id: number, namespace: string, model: string, aliases: string[]): CompiledRoute {
  return {
    id: `${namespace}/r${id}`,
    namespace,
    name: `r${id}`,
    generation: 1,
    model,
    aliases,
    backends: [],
    retry: { attempts: 0, initialBackoffMs: 0, maxBackoffMs: 0, on: [] },
    timeouts: { connectMs: 1, firstByteMs: 1, totalMs: 1, streamIdleMs: 1 },
    outlierDetection: { consecutiveFailures: 1, ejectionTimeMs: 1 },
    fallbackModels: [],
    defaultMaxTokens: 1,
  };
}

describe('route name index', () => {
  it('settles conflicts and builds modelsByNamespace exactly as checking every pair would', () => {
    const random = seededRandom(4242);
    const namespaces = ['shared', 'platform', 'team-a', 'team-b', 'team-c'];
    const names = Array.from({ length: 30 }, (_, i) => `m${i}`);
    for (let round = 0; round < 40; round++) {
      const shared = new Set(random.shuffle(['shared', 'platform']).slice(0, random.int(3)));
      const routes = Array.from({ length: 60 }, (_, i) => {
        const aliases = Array.from({ length: random.int(3) }, () => random.pick(names));
        return routeOf(i, random.pick(namespaces), random.pick(names), aliases);
      });
      const result = resolveRouteConflicts(routes, shared);
      const expected = referenceResolve(routes, shared);
      expect(result.conflicts).toEqual(expected.conflicts);
      expect(result.accepted.map((r) => r.id)).toEqual(expected.accepted.map((r) => r.id));
      const keyNamespaces = random.shuffle([...namespaces, 'no-routes', 'team-a']);
      expect(buildModelsByNamespace(result.accepted, keyNamespaces, shared)).toEqual(
        referenceModels(expected.accepted, keyNamespaces, shared),
      );
    }
  });

  it('lets a later claim of a name win when the caller passes routes that were not settled', () => {
    const shared = new Set(['platform']);
    const routes = [routeOf(1, 'team-a', 'gpt', []), routeOf(2, 'platform', 'gpt', ['x']), routeOf(3, 'team-a', 'x', [])];
    const models = buildModelsByNamespace(routes, ['team-a'], shared);
    expect(models).toEqual(referenceModels(routes, ['team-a'], shared));
    expect(models['team-a']).toEqual({ gpt: 'platform/r2', x: 'team-a/r3' });
  });
});
