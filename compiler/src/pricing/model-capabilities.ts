// Built-in model capabilities, looked up by provider and provider-side model id the same way as
// list prices (catalog-model-ids.ts), so a backend whose model finds its price also finds what it
// can serve. The compiler merges the result with the backend's own `capabilities` (which win,
// field by field) into the routing table; nothing here runs per request.

import type { ProviderName } from '../generated/resource-shapes.js';
import { type CatalogTableName, catalogKeys, findInTables } from './catalog-model-ids.js';
import {
  ANTHROPIC_CAPABILITIES,
  BEDROCK_CAPABILITIES,
  CAPABILITY_CATALOG_AS_OF,
  type CatalogCapabilities,
  GEMINI_CAPABILITIES,
  OPENAI_CAPABILITIES,
  type ProviderCapabilityTable,
  XAI_CAPABILITIES,
} from './model-capabilities-data.js';

interface CapabilityCatalog {
  readonly asOf: string;
  readonly tables: Readonly<Partial<Record<CatalogTableName, ProviderCapabilityTable>>>;
  /** A copy of the model's catalog entry; undefined when the catalog does not list it. */
  lookup(provider: ProviderName, model: string): CatalogCapabilities | undefined;
}

const TABLES: Readonly<Partial<Record<CatalogTableName, ProviderCapabilityTable>>> = {
  openai: OPENAI_CAPABILITIES,
  anthropic: ANTHROPIC_CAPABILITIES,
  gemini: GEMINI_CAPABILITIES,
  bedrock: BEDROCK_CAPABILITIES,
  xai: XAI_CAPABILITIES,
};

export const BUILTIN_CAPABILITY_CATALOG: CapabilityCatalog = {
  asOf: CAPABILITY_CATALOG_AS_OF,
  tables: TABLES,
  lookup(provider, model) {
    const entry = findInTables(TABLES, catalogKeys(provider, model));
    // A copy, so a compiled table never shares (and can never alter) the catalog's objects.
    return entry === undefined ? undefined : { ...entry };
  },
};
