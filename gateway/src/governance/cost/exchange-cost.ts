// The cost of one answered request, computed once from its real usage and the price of the
// backend that answered; shared by the response header, the log line, the metric and settlement.
import type { CompiledPricing, Usage } from '@switchyard/compiler';
import { computeCostNanos } from './compute-cost.js';

/** What costing reads and caches of a request's state (the pipeline's Exchange has these fields). */
export interface CostedExchange {
  readonly usage: Usage | undefined;
  readonly pricing: CompiledPricing | undefined;
  costNanos: bigint | undefined;
}

/** Undefined when there is no usage (failed call) or the answering backend has no price. */
export function exchangeCostNanos(exchange: CostedExchange): bigint | undefined {
  if (exchange.costNanos !== undefined) return exchange.costNanos;
  if (exchange.usage === undefined || exchange.pricing === undefined) return undefined;
  exchange.costNanos = computeCostNanos(exchange.usage, exchange.pricing);
  return exchange.costNanos;
}

/** Where settled costs go besides the budgets (the cost metric). */
export interface CostObserver {
  costed(route: string, backend: string, key: string, nanos: bigint): void;
}
