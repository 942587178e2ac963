// Built-in list prices, looked up by provider and provider-side model id. The prices, with the
// page and date each table was read from, are data in price-catalog-data.ts; catalog-model-ids.ts
// maps a backend's model id (dated snapshots, regional inference-profile prefixes, `models/` paths,
// OpenRouter's `vendor/model`) to an entry there, the same way for the capability catalog.
// Anything else, or any negotiated price, is set per backend with `pricing`; a backend with
// neither reports PriceUnknown, so nothing is ever charged as free by accident.

import type { ProviderName } from '../generated/resource-shapes.js';
import { type CatalogTableName, catalogKeys, findInTables } from './catalog-model-ids.js';
import {
  ANTHROPIC_PRICES,
  BEDROCK_PRICES,
  COHERE_PRICES,
  DEEPSEEK_PRICES,
  FIREWORKS_PRICES,
  GEMINI_PRICES,
  GROQ_PRICES,
  MISTRAL_PRICES,
  OPENAI_PRICES,
  PRICE_CATALOG_AS_OF,
  TOGETHER_PRICES,
  XAI_PRICES,
  type CatalogEntry,
  type ProviderPriceTable,
} from './price-catalog-data.js';
import { AUDIO_PRICES, type AudioBillingUnit } from './audio-price-catalog-data.js';

export interface CatalogPrice {
  inputPerMillion: string;
  outputPerMillion: string;
  cachedInputPerMillion?: string;
  cacheWritePerMillion?: string;
}

export interface PriceCatalog {
  lookup(provider: ProviderName, model: string): CatalogPrice | undefined;
}

/** The built-in catalog also exposes its data: each provider's table with its source page and date. */
interface BuiltinPriceCatalog extends PriceCatalog {
  readonly asOf: string;
  readonly tables: Readonly<Record<CatalogTableName, ProviderPriceTable>>;
}

const FREE: CatalogPrice = { inputPerMillion: '0', outputPerMillion: '0' };

function toCatalogPrice(entry: CatalogEntry | undefined): CatalogPrice | undefined {
  if (entry === undefined) return undefined;
  return {
    inputPerMillion: entry.input,
    outputPerMillion: entry.output,
    ...(entry.cachedInput === undefined ? {} : { cachedInputPerMillion: entry.cachedInput }),
    ...(entry.cacheWrite === undefined ? {} : { cacheWritePerMillion: entry.cacheWrite }),
  };
}

const TABLES: Readonly<Record<CatalogTableName, ProviderPriceTable>> = {
  openai: OPENAI_PRICES,
  anthropic: ANTHROPIC_PRICES,
  gemini: GEMINI_PRICES,
  bedrock: BEDROCK_PRICES,
  mistral: MISTRAL_PRICES,
  groq: GROQ_PRICES,
  deepseek: DEEPSEEK_PRICES,
  xai: XAI_PRICES,
  together: TOGETHER_PRICES,
  fireworks: FIREWORKS_PRICES,
  cohere: COHERE_PRICES,
};

export const BUILTIN_PRICE_CATALOG: BuiltinPriceCatalog = {
  asOf: PRICE_CATALOG_AS_OF,
  tables: TABLES,
  lookup(provider, model) {
    // The mock provider is free; everything else is found by its table and normalized id.
    if (provider === 'mock') return FREE;
    const keys = catalogKeys(provider, model);
    return toCatalogPrice(findInTables(TABLES, keys) ?? findInTables(AUDIO_PRICES, keys));
  },
};

/** How an audio model is billed, by the catalog; undefined for a model it does not list. */
export function audioBillingUnit(provider: ProviderName, model: string): AudioBillingUnit | undefined {
  return findInTables(AUDIO_PRICES, catalogKeys(provider, model))?.unit;
}
