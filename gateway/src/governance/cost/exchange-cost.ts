// The cost of one answered request, computed once from its real usage and the price of the
// backend that answered; shared by the response header, the log line, the metric and settlement.
import type { Exchange } from '../../pipeline/exchange.js';
import { computeCostNanos } from './compute-cost.js';

/** Undefined when there is no usage (failed call) or the answering backend has no price. */
export function exchangeCostNanos(exchange: Exchange): bigint | undefined {
  if (exchange.costNanos !== undefined) return exchange.costNanos;
  if (exchange.usage === undefined || exchange.pricing === undefined) return undefined;
  exchange.costNanos = computeCostNanos(exchange.usage, exchange.pricing);
  return exchange.costNanos;
}

/** Where settled costs go besides the budgets (the cost metric). */
export interface CostObserver {
  costed(route: string, backend: string, key: string, nanos: bigint): void;
}
