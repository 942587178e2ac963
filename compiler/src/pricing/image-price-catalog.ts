// Image prices by provider and provider-side model id (image-price-catalog-data.ts). Model ids are
// normalized the way backends name them: a `models/` or `publishers/google/models/` path, a
// Vertex `@version` suffix, a Bedrock regional inference-profile prefix (`us.`, `eu.`, `apac.`).
// A model not listed has no image price: its route reports nothing is priced for images, and keys
// under a Block budget are refused its images, as for a chat backend without a price.

import type { ProviderName } from '../generated/resource-shapes.js';
import {
  BEDROCK_IMAGE_PRICES,
  GEMINI_IMAGE_PRICES,
  OPENAI_IMAGE_PRICES,
  VERTEX_IMAGE_PRICES,
  type ImagePriceEntry,
  type ImagePriceTable,
} from './image-price-catalog-data.js';

export type { ImagePriceEntry, ImageTokenPrice, PerImagePrice } from './image-price-catalog-data.js';

const TABLES: Partial<Record<ProviderName, ImagePriceTable>> = {
  openai: OPENAI_IMAGE_PRICES,
  'azure-openai': OPENAI_IMAGE_PRICES,
  'vertex-ai': VERTEX_IMAGE_PRICES,
  gemini: GEMINI_IMAGE_PRICES,
  bedrock: BEDROCK_IMAGE_PRICES,
};

function normalized(model: string): string {
  return model
    .replace(/^(?:publishers\/google\/)?models\//, '')
    .replace(/@.*$/, '')
    .replace(/^(?:us|eu|apac|us-gov|global)\./, '')
    .toLowerCase();
}

export function lookUpImagePrice(provider: ProviderName, model: string): ImagePriceEntry | undefined {
  const table = TABLES[provider];
  if (table === undefined) return undefined;
  const id = normalized(model);
  const exact = table.models[id];
  if (exact !== undefined) return exact;
  // Dated snapshots (`gpt-image-1-2025-04-15`) price as their model.
  const undated = id.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  return table.models[undated];
}
