// Provider name -> adapter, complete by type: a ProviderName (from @switchyard/compiler) without
// an adapter here fails to compile. A routing table can still name a provider this build does
// not know (one compiled by a newer control plane); table/runtime-table.ts refuses such a table
// with a message naming the route and backend.
import type { ProviderName } from '@switchyard/compiler';
import { anthropicAdapter } from './anthropic/index.js';
import { azureOpenAIAdapter } from './azure-openai/index.js';
import { bedrockAdapter } from './bedrock/index.js';
import { geminiAdapter } from './gemini/index.js';
import { mockAdapter } from './mock/index.js';
import { openAICompatibleAdapters } from './openai-compatible/index.js';
import { openaiAdapter } from './openai/index.js';
import type { ProviderAdapter } from './provider-adapter.js';
import { vertexAIAdapter } from './vertex-ai/index.js';

export type ProviderRegistry = Record<ProviderName, ProviderAdapter>;

export function createProviderRegistry(): ProviderRegistry {
  return {
    ...openAICompatibleAdapters,
    openai: openaiAdapter,
    'azure-openai': azureOpenAIAdapter,
    anthropic: anthropicAdapter,
    gemini: geminiAdapter,
    'vertex-ai': vertexAIAdapter,
    bedrock: bedrockAdapter,
    mock: mockAdapter,
  };
}
