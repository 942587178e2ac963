// Built-in list prices (USD per million tokens) for the model families whose providers publish
// one price across platforms: OpenAI (also via Azure OpenAI), Anthropic (also via Bedrock and
// Vertex AI) and Gemini (also via Vertex AI), standard tier, prompts up to 200k tokens where a
// provider charges long prompts more. List prices as of late 2025. Anything else, or any
// negotiated price, is set per backend with `pricing`; a backend with neither reports
// PriceUnknown, so nothing is ever charged as free by accident.

import type { ProviderName } from '../table-types.js';

export interface CatalogPrice {
  inputPerMillion: string;
  outputPerMillion: string;
  cachedInputPerMillion?: string;
  cacheWritePerMillion?: string;
}

export interface PriceCatalog {
  lookup(provider: ProviderName, model: string): CatalogPrice | undefined;
}

const price = (input: string, output: string, cachedInput?: string, cacheWrite?: string): CatalogPrice => ({
  inputPerMillion: input,
  outputPerMillion: output,
  ...(cachedInput === undefined ? {} : { cachedInputPerMillion: cachedInput }),
  ...(cacheWrite === undefined ? {} : { cacheWritePerMillion: cacheWrite }),
});

const OPENAI: Record<string, CatalogPrice> = {
  'gpt-5': price('1.25', '10.00', '0.125'),
  'gpt-5-mini': price('0.25', '2.00', '0.025'),
  'gpt-5-nano': price('0.05', '0.40', '0.005'),
  'gpt-4.1': price('2.00', '8.00', '0.50'),
  'gpt-4.1-mini': price('0.40', '1.60', '0.10'),
  'gpt-4.1-nano': price('0.10', '0.40', '0.025'),
  'gpt-4o': price('2.50', '10.00', '1.25'),
  'gpt-4o-mini': price('0.15', '0.60', '0.075'),
  o1: price('15.00', '60.00', '7.50'),
  o3: price('2.00', '8.00', '0.50'),
  'o3-mini': price('1.10', '4.40', '0.55'),
  'o4-mini': price('1.10', '4.40', '0.275'),
  'text-embedding-3-small': price('0.02', '0'),
  'text-embedding-3-large': price('0.13', '0'),
  'text-embedding-ada-002': price('0.10', '0'),
};

const ANTHROPIC: Record<string, CatalogPrice> = {
  'claude-opus-4-5': price('5.00', '25.00', '0.50', '6.25'),
  'claude-opus-4-1': price('15.00', '75.00', '1.50', '18.75'),
  'claude-opus-4': price('15.00', '75.00', '1.50', '18.75'),
  'claude-sonnet-4-5': price('3.00', '15.00', '0.30', '3.75'),
  'claude-sonnet-4': price('3.00', '15.00', '0.30', '3.75'),
  'claude-3-7-sonnet': price('3.00', '15.00', '0.30', '3.75'),
  'claude-haiku-4-5': price('1.00', '5.00', '0.10', '1.25'),
  'claude-3-5-haiku': price('0.80', '4.00', '0.08', '1.00'),
  'claude-3-haiku': price('0.25', '1.25', '0.03', '0.30'),
};

const GEMINI: Record<string, CatalogPrice> = {
  'gemini-2.5-pro': price('1.25', '10.00'),
  'gemini-2.5-flash': price('0.30', '2.50'),
  'gemini-2.5-flash-lite': price('0.10', '0.40'),
  'gemini-2.0-flash': price('0.10', '0.40'),
  'gemini-2.0-flash-lite': price('0.075', '0.30'),
};

const FREE = price('0', '0');

/** gpt-4o-2024-08-06 -> gpt-4o */
const openAiFamily = (model: string): string => model.replace(/-\d{4}-\d{2}-\d{2}$/, '');

/** claude-sonnet-4-5-20250929, claude-sonnet-4-5@20250929, claude-3-5-haiku-latest -> the family id. */
const anthropicFamily = (model: string): string => model.replace(/@\d{8}$/, '').replace(/-(\d{8}|latest)$/, '');

/** us.anthropic.claude-sonnet-4-5-20250929-v1:0 -> claude-sonnet-4-5 */
function bedrockAnthropicFamily(model: string): string | undefined {
  const match = /^(?:[a-z]{2,6}\.)?anthropic\.(.+?)(?:-v\d+(?::\d+)?)?$/.exec(model);
  return match ? anthropicFamily(match[1] as string) : undefined;
}

export const BUILTIN_PRICE_CATALOG: PriceCatalog = {
  lookup(provider, model) {
    switch (provider) {
      case 'mock':
        return FREE;
      case 'openai':
      case 'azure-openai':
        return OPENAI[openAiFamily(model)];
      case 'anthropic':
        return ANTHROPIC[anthropicFamily(model)];
      case 'bedrock': {
        const family = bedrockAnthropicFamily(model);
        return family ? ANTHROPIC[family] : undefined;
      }
      case 'vertex-ai':
        return ANTHROPIC[anthropicFamily(model)] ?? GEMINI[model];
      case 'gemini':
        return GEMINI[model.replace(/^models\//, '')];
      default:
        return undefined;
    }
  },
};
