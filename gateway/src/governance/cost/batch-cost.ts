// A batch's results at the provider's batch price: the backend's token prices (catalog or
// `pricing`) times the provider's batch share (compiler's BATCH_DISCOUNTS, with sources).
import { BATCH_DISCOUNTS, type CompiledPricing, type ProviderName, type Usage } from '@switchyard/compiler';
import { computeCostNanos } from './compute-cost.js';

export function batchCostNanos(usage: Usage, pricing: CompiledPricing, provider: ProviderName): bigint {
  const percent = BATCH_DISCOUNTS[provider]?.percentOfStandard ?? 100;
  return (computeCostNanos(usage, pricing) * BigInt(percent)) / 100n;
}
