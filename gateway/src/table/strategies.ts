// How a backend is chosen inside one priority tier (ModelRoute `strategy`, docs/routing.md
// "Strategies"). `weighted` uses the precomputed cumulative weights; the others score each
// eligible backend and take the lowest score, breaking ties by weight at random so equal
// backends still share traffic in proportion.
import type { CompiledBackend, RoutingStrategy } from '@switchyard/compiler';
import type { RequestFeatures } from './request-features.js';
import type { RuntimeBackend, RuntimeRoute, RuntimeTier } from './runtime-table.js';

export interface StrategyContext {
  readonly route: RuntimeRoute;
  readonly features: RequestFeatures;
  readonly nowMs: number;
  readonly random: () => number;
}

export function pickInTier(
  tier: RuntimeTier,
  strategy: RoutingStrategy,
  skip: (backend: RuntimeBackend) => boolean,
  context: StrategyContext,
): RuntimeBackend | undefined {
  if (strategy === 'weighted') return tier.backends.pickExcluding(skip, context.random);
  let best = Number.POSITIVE_INFINITY;
  let tied: RuntimeBackend[] = [];
  for (const backend of tier.backends.items) {
    if (skip(backend)) continue;
    const score = scoreOf(strategy, backend, context);
    if (score < best) {
      best = score;
      tied = [backend];
    } else if (score === best) tied.push(backend);
  }
  if (tied.length <= 1) return tied[0];
  let total = 0;
  for (const backend of tied) total += backend.compiled.weight;
  let target = context.random() * total;
  for (const backend of tied) {
    if (target < backend.compiled.weight) return backend;
    target -= backend.compiled.weight;
  }
  return tied[tied.length - 1];
}

function scoreOf(strategy: Exclude<RoutingStrategy, 'weighted'>, backend: RuntimeBackend, context: StrategyContext): number {
  const weight = backend.compiled.weight;
  const load = backend.health.inFlight + 1;
  switch (strategy) {
    case 'least-outstanding':
      return load / weight;
    case 'latency':
      // An unmeasured backend scores 0 and is tried first, which is how it gets measured.
      return (backend.health.latencyEstimateMs(context.nowMs) * load) / weight;
    case 'cheapest':
      return estimatedCost(backend.compiled, context.features.promptTokens, context.features.outputTokens(context.route));
  }
}

interface PerMillion {
  input: number;
  output: number;
}

const pricesByBackend = new WeakMap<CompiledBackend, PerMillion | null>();

/**
 * Estimated nano-dollars of the request on this backend; unpriced backends rank last. A float
 * is fine here: the value only orders backends, it is never charged.
 */
function estimatedCost(backend: CompiledBackend, promptTokens: number, outputTokens: number): number {
  let prices = pricesByBackend.get(backend);
  if (prices === undefined) {
    prices =
      backend.pricing === undefined
        ? null
        : { input: Number(backend.pricing.inputPerMillionNanos), output: Number(backend.pricing.outputPerMillionNanos) };
    pricesByBackend.set(backend, prices);
  }
  if (prices === null) return Number.POSITIVE_INFINITY;
  return promptTokens * prices.input + outputTokens * prices.output;
}
