// Adapters for every OpenAI-compatible provider: the OpenAI adapter family, one dialect each.

import { createOpenAIFamilyAdapter } from '../openai-family-adapter.js';
import type { HttpProviderAdapter } from '../provider-adapter.js';
import type { OpenAICompatibleProvider } from '@switchyard/compiler';
import { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible-presets.js';

export const openAICompatibleAdapters = Object.fromEntries(
  Object.values(OPENAI_COMPATIBLE_PRESETS).map((preset) => [
    preset.provider,
    createOpenAIFamilyAdapter({ provider: preset.provider, dialect: preset.dialect }),
  ]),
) as Record<OpenAICompatibleProvider, HttpProviderAdapter>;

export { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible-presets.js';
