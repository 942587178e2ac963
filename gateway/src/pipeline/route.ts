// Stage 6, route: which routes a request may try (its own, then each fallback model the key
// may also use), and for each attempt which backend and credential serve it. Tiers are tried
// in priority order; inside a tier the weights decide; ejected backends are skipped.
import type { CompiledCredential } from '@switchyard/compiler';
import type { RuntimeBackend, RuntimeKey, RuntimeRoute } from '../table/runtime-table.js';

/** The route the caller named, then its `fallbackModels` that resolve for this key and pass its allow-list. */
export function planRoutes(key: RuntimeKey, primary: RuntimeRoute): RuntimeRoute[] {
  const fallbacks = primary.compiled.fallbackModels;
  if (fallbacks.length === 0) return [primary];
  const plan = [primary];
  for (const model of fallbacks) {
    const route = key.models.get(model);
    if (route !== undefined && !plan.includes(route) && key.mayUse(route)) plan.push(route);
  }
  return plan;
}

/**
 * Picks the backend for the next attempt on a route: the first tier with a healthy backend
 * this request has not tried yet; failing that, a healthy one it already tried (a route with
 * one backend retries that backend). `avoid` holds backends that must not be tried again.
 * Undefined when every backend is ejected or avoided.
 */
export function selectBackend(route: RuntimeRoute, tried: ReadonlySet<RuntimeBackend>, avoid: ReadonlySet<RuntimeBackend>, nowMs: number, random: () => number): RuntimeBackend | undefined {
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
