// Stage 6, route: for each attempt, which backend and credential serve it (which routes a
// request may try is table/plan-routes.ts). Tiers are tried in priority order; inside a tier
// the weights decide; ejected backends are skipped.
import type { CompiledCredential } from '@switchyard/compiler';
import type { RuntimeBackend, RuntimeRoute } from '../table/runtime-table.js';

/**
 * Picks the backend for the next attempt on a route: the first tier with a healthy backend
 * this request has not tried yet; failing that, a healthy one it already tried (a route with
 * one backend retries that backend). `avoid` holds backends that must not be tried again.
 * Undefined when every backend is ejected or avoided.
 */
export function selectBackend(
  route: RuntimeRoute,
  tried: ReadonlySet<RuntimeBackend>,
  avoid: ReadonlySet<RuntimeBackend>,
  nowMs: number,
  random: () => number,
): RuntimeBackend | undefined {
  if (tried.size === 0 && avoid.size === 0) {
    // Common case: first attempt. Take the precomputed pick unless it is ejected.
    for (const tier of route.tiers) {
      const picked = tier.backends.pick(random);
      if (!picked.health.isEjected(nowMs)) return picked;
      const other = tier.backends.pickExcluding((b) => b.health.isEjected(nowMs), random);
      if (other !== undefined) return other;
    }
    return undefined;
  }
  for (const tier of route.tiers) {
    const fresh = tier.backends.pickExcluding((b) => tried.has(b) || avoid.has(b) || b.health.isEjected(nowMs), random);
    if (fresh !== undefined) return fresh;
  }
  for (const tier of route.tiers) {
    const again = tier.backends.pickExcluding((b) => avoid.has(b) || b.health.isEjected(nowMs), random);
    if (again !== undefined) return again;
  }
  return undefined;
}

export function pickCredential(backend: RuntimeBackend, random: () => number): CompiledCredential | undefined {
  return backend.credentials?.pick(random);
}
