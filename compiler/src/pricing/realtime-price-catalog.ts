// Looks up a realtime model's per-modality list price (realtime-price-data.ts) by provider and
// provider-side model id, normalized as the main catalog does (catalog-model-ids.ts).
import type { ProviderName } from '../generated/resource-shapes.js';
import { catalogKeys } from './catalog-model-ids.js';
import { OPENAI_REALTIME_PRICES, type RealtimeCatalogEntry } from './realtime-price-data.js';

export type { RealtimeCatalogEntry } from './realtime-price-data.js';

/** Undefined for a provider or model without a listed realtime price. */
export function realtimeCatalogPrice(provider: ProviderName, model: string): RealtimeCatalogEntry | undefined {
  for (const { table, id } of catalogKeys(provider, model))
    if (table === 'openai' && Object.hasOwn(OPENAI_REALTIME_PRICES, id)) return OPENAI_REALTIME_PRICES[id];
  return undefined;
}
