// The one table of OpenAI-compatible providers: how each one's dialect differs from OpenAI's.
// Which providers belong here is the compiler's `openAICompatible` flag (provider-defaults.ts):
// the table must have exactly those keys or the gateway does not compile
// (see OpenAIDialect for what each field means). docs/providers/openai.md renders it for
// operators; keep the two in step. Default base URLs are the compiler's
// (compiler/src/provider-defaults.ts): the table a gateway serves always has them resolved.

import type { OpenAICompatibleProvider, ProviderName } from '@switchyard/compiler';
import { OPENAI_DIALECT, type OpenAIDialect } from '../../wire/openai-chat/index.js';

export interface OpenAICompatiblePreset {
  provider: ProviderName;
  dialect: OpenAIDialect;
}

/** What most OpenAI-compatible servers accept: OpenAI's parameters minus its newest ones. */
const COMMON: OpenAIDialect = {
  ...OPENAI_DIALECT,
  maxTokensField: 'max_tokens',
  reasoningEfforts: ['low', 'medium', 'high'],
  fileParts: false,
  promptCacheBreakpoints: false,
  promptCacheKey: false,
};

export const OPENAI_COMPATIBLE_PRESETS = {
  mistral: {
    provider: 'mistral',
    // Mistral rejects unknown fields (422) and always reports usage in the last chunk.
    dialect: {
      ...COMMON,
      streamOptions: false,
      seed: 'random_seed',
      reasoningEffort: 'drop',
      user: false,
      messageNames: false,
      requiredToolChoice: 'any',
      toolCallIds: 'nine-alphanumeric',
    },
  },
  groq: {
    provider: 'groq',
    // Groq documents `messages[].name` as unsupported; usage also arrives under x_groq.usage.
    dialect: { ...COMMON, maxTokensField: 'max_completion_tokens', messageNames: false },
  },
  deepseek: {
    provider: 'deepseek',
    // JSON mode without schemas; thinking-mode tool loops need earlier reasoning sent back.
    dialect: {
      ...COMMON,
      seed: 'drop',
      parallelToolCalls: false,
      jsonSchema: 'json_object_with_instruction',
      reasoningEffort: 'drop',
      user: false,
      reasoningInHistory: true,
    },
  },
  xai: {
    provider: 'xai',
    // Grok reasoning models take only `low` and `high`.
    dialect: { ...COMMON, maxTokensField: 'max_completion_tokens', reasoningEfforts: ['low', 'high'] },
  },
  together: {
    provider: 'together',
    dialect: { ...COMMON, topK: true, parallelToolCalls: false, user: false },
  },
  fireworks: {
    provider: 'fireworks',
    dialect: { ...COMMON, topK: true, parallelToolCalls: false },
  },
  openrouter: {
    provider: 'openrouter',
    // OpenRouter normalizes across its providers; effort goes in `reasoning: {effort}`.
    dialect: { ...COMMON, topK: true, reasoningEffort: 'openrouter', fileParts: true },
  },
  cohere: {
    provider: 'cohere',
    // Cohere's Compatibility API lists stream_options, parallel_tool_calls and user as unsupported.
    dialect: { ...COMMON, streamOptions: false, parallelToolCalls: false, reasoningEffort: 'drop', user: false, messageNames: false },
  },
  ollama: {
    provider: 'ollama',
    dialect: { ...COMMON, parallelToolCalls: false, user: false, messageNames: false },
  },
  vllm: {
    provider: 'vllm',
    dialect: { ...COMMON, topK: true },
  },
  'openai-compatible': {
    provider: 'openai-compatible',
    // Any OpenAI-format server; the conservative COMMON dialect.
    dialect: COMMON,
  },
} satisfies Record<OpenAICompatibleProvider, OpenAICompatiblePreset>;
