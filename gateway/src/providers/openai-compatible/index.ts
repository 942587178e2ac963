// Adapters for every OpenAI-compatible provider: the OpenAI adapter family, one dialect each.

import type { ProviderName } from '@switchyard/compiler';
import { createOpenAIFamilyAdapter } from '../openai-family-adapter.js';
import type { HttpProviderAdapter } from '../provider-adapter.js';
import { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible-presets.js';

export const openAICompatibleAdapters: Partial<Record<ProviderName, HttpProviderAdapter>> = Object.fromEntries(
  Object.values(OPENAI_COMPATIBLE_PRESETS).map((preset) => [preset.provider, createOpenAIFamilyAdapter({ provider: preset.provider, dialect: preset.dialect })]),
);

export { OPENAI_COMPATIBLE_PRESETS, type OpenAICompatiblePreset, type OpenAICompatibleProvider } from './openai-compatible-presets.js';
