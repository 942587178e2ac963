// Stage 6, route: for each attempt, which backend and credential serve it (which routes a
// request may try is table/plan-routes.ts). The route's first matching rule narrows its
// backends, backends that cannot serve the request are left out, tiers are tried in priority
// order, the route's strategy picks inside a tier, ejected backends and backends at their
// maxConcurrency are skipped (retry.ts waits for a slot when every one is full), and a
// conversation with affinity goes back to its backend and credential while that one is usable.
import type { CompiledCredential } from '@switchyard/compiler';
import type { AffinityStore } from '../table/affinity.js';
import type { RequestFeatures, RouteChoice } from '../table/request-features.js';
import type { RuntimeBackend, RuntimeRoute } from '../table/runtime-table.js';
import { pickInTier, type StrategyContext } from '../table/strategies.js';

export interface Selection {
  backend: RuntimeBackend;
  credential: CompiledCredential | undefined;
}

/**
 * Picks the backend for the next attempt on a route: the first tier with a usable backend this
 * request has not tried yet; failing that, a usable one it already tried (a route with one
 * backend retries that backend). `avoid` holds backends that must not be tried again. Usable:
 * not ejected, and able to serve the request. Undefined when no backend is usable.
 */
export function selectBackend(
  choice: RouteChoice,
  features: RequestFeatures,
  tried: ReadonlySet<RuntimeBackend>,
  avoid: ReadonlySet<RuntimeBackend>,
  nowMs: number,
  random: () => number,
  affinity?: AffinityStore,
): Selection | undefined {
  const { route, unfit } = choice;
  // The exclusion closure is built only off the common path (first attempt, weighted, no pinned
  // conversation), which otherwise paid for it on every request.
  if (tried.size === 0 && affinity !== undefined && pinsConversation(route, features)) {
    const sticky = stickySelection(choice, features, unusableFor(avoid, unfit, nowMs), nowMs, affinity);
    if (sticky !== undefined) return sticky;
  }
  if (tried.size === 0 && avoid.size === 0 && unfit.size === 0 && route.strategy === 'weighted') {
    // Common case: first attempt. Take the precomputed pick unless it is ejected.
    for (const tier of choice.tiers) {
      const picked = tier.backends.pick(random);
      if (!picked.health.isEjected(nowMs) && !isFull(picked)) return withCredential(picked, random);
      const other = tier.backends.pickExcluding((b) => b.health.isEjected(nowMs) || isFull(b), random);
      if (other !== undefined) return withCredential(other, random);
    }
    return undefined;
  }
  const context: StrategyContext = { route, features, nowMs, random };
  const excluded = unusableFor(avoid, unfit, nowMs);
  for (const tier of choice.tiers) {
    const fresh = pickInTier(tier, route.strategy, (b) => tried.has(b) || excluded(b), context);
    if (fresh !== undefined) return withCredential(fresh, random);
  }
  for (const tier of choice.tiers) {
    const again = pickInTier(tier, route.strategy, excluded, context);
    if (again !== undefined) return withCredential(again, random);
  }
  return undefined;
}

function unusableFor(
  avoid: ReadonlySet<RuntimeBackend>,
  unfit: ReadonlyMap<RuntimeBackend, string>,
  nowMs: number,
): (b: RuntimeBackend) => boolean {
  return (b) => avoid.has(b) || unfit.has(b) || b.health.isEjected(nowMs) || isFull(b);
}

/** A backend at its maxConcurrency takes no new request until one of its own ends. */
export function isFull(backend: RuntimeBackend): boolean {
  const limit = backend.compiled.maxConcurrency;
  return limit !== undefined && backend.health.inFlight >= limit;
}

/** The conversation's remembered backend and credential, when both still exist and the backend is usable. */
function stickySelection(
  choice: RouteChoice,
  features: RequestFeatures,
  unusable: (b: RuntimeBackend) => boolean,
  nowMs: number,
  affinity: AffinityStore,
): Selection | undefined {
  if (!pinsConversation(choice.route, features) || features.conversation === undefined) return undefined;
  const entry = affinity.lookup(choice.route.id, features.conversation, nowMs);
  if (entry === undefined) return undefined;
  const backend = choice.route.backendsByName.get(entry.backend);
  // A backend outside the matched rule's tiers is not a candidate for this request.
  if (backend === undefined || unusable(backend) || !choice.tiers.some((tier) => tier.backends.items.includes(backend))) return undefined;
  if (backend.credentials === undefined) return { backend, credential: undefined };
  const credential = backend.credentials.items.find((c) => c.ref === entry.credential);
  return credential === undefined ? undefined : { backend, credential };
}

/** Routes with `affinity` keep conversations together; a request reading a Gemini context cache is kept together on any route. */
export function pinsConversation(route: RuntimeRoute, features: RequestFeatures): boolean {
  return route.compiled.affinity !== undefined || features.cachedContent !== undefined;
}

/**
 * How long a request reading a Gemini context cache stays pinned on a route without `affinity`:
 * Gemini's default cache lifetime (docs/routing.md, "Gemini context caches").
 */
export const CACHED_CONTENT_AFFINITY_TTL_MS = 60 * 60 * 1000;

function withCredential(backend: RuntimeBackend, random: () => number): Selection {
  return { backend, credential: backend.credentials?.pick(random) };
}
