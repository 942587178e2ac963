// Built-in list prices, looked up by provider and provider-side model id. The prices, with the
// page and date each table was read from, are data in price-catalog-data.ts; this module maps a
// backend's model id (dated snapshots, regional inference-profile prefixes, `models/` paths,
// OpenRouter's `vendor/model`) to an entry there. Anything else, or any negotiated price, is set
// per backend with `pricing`; a backend with neither reports PriceUnknown, so nothing is ever
// charged as free by accident.

import type { ProviderName } from '../generated/resource-shapes.js';
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
  readonly tables: Readonly<Record<string, ProviderPriceTable>>;
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

function find(table: ProviderPriceTable, model: string | undefined): CatalogPrice | undefined {
  if (model === undefined || !Object.hasOwn(table.models, model)) return undefined;
  return toCatalogPrice(table.models[model]);
}

/** gpt-4o-2024-08-06 -> gpt-4o */
const openAiFamily = (model: string): string => model.replace(/-\d{4}-\d{2}-\d{2}$/, '');

/** claude-sonnet-4-5-20250929, claude-sonnet-4-5@20250929, claude-3-5-haiku-latest, claude-sonnet-4.5 -> claude-sonnet-4-5 */
const anthropicFamily = (model: string): string =>
  model
    .replace(/@\d{8}$/, '')
    .replace(/-(\d{8}|latest)$/, '')
    .replace(/(\d)\.(\d)/g, '$1-$2');

/** us.anthropic.claude-sonnet-4-5-20250929-v1:0 -> claude-sonnet-4-5 */
function bedrockAnthropicFamily(model: string): string | undefined {
  const match = /^(?:[a-z]{2,6}\.)?anthropic\.(.+?)(?:-v\d+(?::\d+)?)?$/.exec(model);
  return match ? anthropicFamily(match[1] as string) : undefined;
}

/** us.amazon.nova-pro-v1:0 -> amazon.nova-pro-v1 (cross-region inference profiles bill as the model). */
const bedrockModelId = (model: string): string => model.replace(/^(?:us|eu|apac|us-gov|global)\./, '').replace(/:\d+$/, '');

/** grok-4-0709 -> grok-4 */
const xaiFamily = (model: string): string => model.replace(/-\d{4}$/, '');

/** OpenRouter passes provider list prices through: `vendor/model` -> that vendor's table. */
function openRouterPrice(model: string): CatalogPrice | undefined {
  const slash = model.indexOf('/');
  if (slash < 0) return undefined;
  const vendor = model.slice(0, slash);
  const id = model.slice(slash + 1).replace(/:[a-z]+$/, '');
  switch (vendor) {
    case 'openai':
      return find(OPENAI_PRICES, openAiFamily(id));
    case 'anthropic':
      return find(ANTHROPIC_PRICES, anthropicFamily(id));
    case 'google':
      return find(GEMINI_PRICES, id);
    case 'x-ai':
      return find(XAI_PRICES, xaiFamily(id));
    default:
      return undefined;
  }
}

export const BUILTIN_PRICE_CATALOG: BuiltinPriceCatalog = {
  asOf: PRICE_CATALOG_AS_OF,
  tables: {
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
  },
  lookup(provider, model) {
    switch (provider) {
      case 'mock':
        return FREE;
      case 'openai':
      case 'azure-openai':
        return find(OPENAI_PRICES, openAiFamily(model));
      case 'anthropic':
        return find(ANTHROPIC_PRICES, anthropicFamily(model));
      case 'bedrock': {
        const family = bedrockAnthropicFamily(model);
        return family !== undefined ? find(ANTHROPIC_PRICES, family) : find(BEDROCK_PRICES, bedrockModelId(model));
      }
      case 'vertex-ai':
        return (
          find(ANTHROPIC_PRICES, anthropicFamily(model)) ?? find(GEMINI_PRICES, model.replace(/^(?:publishers\/google\/)?models\//, ''))
        );
      case 'gemini':
        return find(GEMINI_PRICES, model.replace(/^models\//, ''));
      case 'mistral':
        return find(MISTRAL_PRICES, model);
      case 'groq':
        return find(GROQ_PRICES, model);
      case 'deepseek':
        return find(DEEPSEEK_PRICES, model);
      case 'xai':
        return find(XAI_PRICES, xaiFamily(model));
      case 'together':
        return find(TOGETHER_PRICES, model);
      case 'fireworks':
        return find(FIREWORKS_PRICES, model);
      case 'cohere':
        return find(COHERE_PRICES, model);
      case 'openrouter':
        return openRouterPrice(model);
      default:
        // ollama, vllm, openai-compatible: self-hosted or unknown, no list price.
        return undefined;
    }
  },
};
