// Where a backend's model id is found in the built-in catalogs (prices and capabilities): which
// provider table, under which key. Both catalogs key their tables the same way, so one mapping
// serves both and a model id that finds its price also finds its capabilities.

import type { ProviderName } from '../generated/resource-shapes.js';

/** The provider tables of the catalogs; each catalog has some of them. */
export type CatalogTableName =
  | 'openai'
  | 'anthropic'
  | 'gemini'
  | 'bedrock'
  | 'mistral'
  | 'groq'
  | 'deepseek'
  | 'xai'
  | 'together'
  | 'fireworks'
  | 'cohere';

/** One place to look: a table and the key in it. */
export interface CatalogKey {
  table: CatalogTableName;
  id: string;
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

/** us.amazon.nova-pro-v1:0 -> amazon.nova-pro-v1 (cross-region inference profiles bill and behave as the model). */
const bedrockModelId = (model: string): string => model.replace(/^(?:us|eu|apac|us-gov|global)\./, '').replace(/:\d+$/, '');

/** grok-4-0709 -> grok-4 */
const xaiFamily = (model: string): string => model.replace(/-\d{4}$/, '');

/** OpenRouter passes the vendor's model through: `vendor/model[:variant]` -> that vendor's table. */
function openRouterKey(model: string): CatalogKey | undefined {
  const slash = model.indexOf('/');
  if (slash < 0) return undefined;
  const vendor = model.slice(0, slash);
  const id = model.slice(slash + 1).replace(/:[a-z]+$/, '');
  switch (vendor) {
    case 'openai':
      return { table: 'openai', id: openAiFamily(id) };
    case 'anthropic':
      return { table: 'anthropic', id: anthropicFamily(id) };
    case 'google':
      return { table: 'gemini', id };
    case 'x-ai':
      return { table: 'xai', id: xaiFamily(id) };
    default:
      return undefined;
  }
}

/**
 * The places a provider's model id may be listed, in the order to try them (Vertex AI serves
 * both Claude and Gemini). Empty for providers without list data (self-hosted, openai-compatible,
 * mock) and for ids no rule recognizes.
 */
export function catalogKeys(provider: ProviderName, model: string): CatalogKey[] {
  switch (provider) {
    case 'openai':
    case 'azure-openai':
      return [{ table: 'openai', id: openAiFamily(model) }];
    case 'anthropic':
      return [{ table: 'anthropic', id: anthropicFamily(model) }];
    case 'bedrock': {
      const family = bedrockAnthropicFamily(model);
      return [family !== undefined ? { table: 'anthropic', id: family } : { table: 'bedrock', id: bedrockModelId(model) }];
    }
    case 'vertex-ai':
      return [
        { table: 'anthropic', id: anthropicFamily(model) },
        { table: 'gemini', id: model.replace(/^(?:publishers\/google\/)?models\//, '') },
      ];
    case 'gemini':
      return [{ table: 'gemini', id: model.replace(/^models\//, '') }];
    case 'xai':
      return [{ table: 'xai', id: xaiFamily(model) }];
    case 'mistral':
    case 'groq':
    case 'deepseek':
    case 'together':
    case 'fireworks':
    case 'cohere':
      return [{ table: provider, id: model }];
    case 'openrouter': {
      const key = openRouterKey(model);
      return key ? [key] : [];
    }
    default:
      // ollama, vllm, openai-compatible, mock: no list data.
      return [];
  }
}

/** The first entry any of `keys` names in `tables`; own properties only, so `constructor` finds nothing. */
export function findInTables<T>(
  tables: Partial<Record<CatalogTableName, { readonly models: Readonly<Record<string, T>> }>>,
  keys: readonly CatalogKey[],
): T | undefined {
  for (const { table, id } of keys) {
    const models = tables[table]?.models;
    if (models !== undefined && Object.hasOwn(models, id)) return models[id];
  }
  return undefined;
}
