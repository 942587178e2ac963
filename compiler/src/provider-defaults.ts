// What the compiler knows about each provider. The provider list itself is the `provider` enum
// of the ModelRoute CRD (ProviderName is generated from it); this table must name every one of
// them, so a provider added to the CRD fails to compile until it has an entry here. Default base
// URLs are in each provider's own SDK sense of "base URL": OpenAI-style providers include the API
// version, Anthropic and Gemini are hosts, Bedrock is the runtime host.

import type { ProviderName } from './generated/resource-shapes.js';

interface ProviderDefaults {
  /** Default base URL; `{region}` is replaced by bedrock.region. Absent: the route must set baseURL. */
  baseURL?: string;
  /** Whether a backend of this provider may omit credentials (local servers, mock). */
  credentialsOptional: boolean;
  /** Speaks OpenAI's chat completions API under its own dialect (the gateway's openai-compatible adapter). */
  openAICompatible: boolean;
}

const PROVIDER_TABLE = {
  openai: { baseURL: 'https://api.openai.com/v1', credentialsOptional: false, openAICompatible: false },
  'azure-openai': { credentialsOptional: false, openAICompatible: false },
  anthropic: { baseURL: 'https://api.anthropic.com', credentialsOptional: false, openAICompatible: false },
  gemini: { baseURL: 'https://generativelanguage.googleapis.com', credentialsOptional: false, openAICompatible: false },
  'vertex-ai': { baseURL: 'https://{location}-aiplatform.googleapis.com', credentialsOptional: false, openAICompatible: false },
  bedrock: { baseURL: 'https://bedrock-runtime.{region}.amazonaws.com', credentialsOptional: false, openAICompatible: false },
  mistral: { baseURL: 'https://api.mistral.ai/v1', credentialsOptional: false, openAICompatible: true },
  groq: { baseURL: 'https://api.groq.com/openai/v1', credentialsOptional: false, openAICompatible: true },
  deepseek: { baseURL: 'https://api.deepseek.com/v1', credentialsOptional: false, openAICompatible: true },
  xai: { baseURL: 'https://api.x.ai/v1', credentialsOptional: false, openAICompatible: true },
  together: { baseURL: 'https://api.together.xyz/v1', credentialsOptional: false, openAICompatible: true },
  fireworks: { baseURL: 'https://api.fireworks.ai/inference/v1', credentialsOptional: false, openAICompatible: true },
  openrouter: { baseURL: 'https://openrouter.ai/api/v1', credentialsOptional: false, openAICompatible: true },
  cohere: { baseURL: 'https://api.cohere.ai/compatibility/v1', credentialsOptional: false, openAICompatible: true },
  ollama: { baseURL: 'http://127.0.0.1:11434/v1', credentialsOptional: true, openAICompatible: true },
  vllm: { baseURL: 'http://127.0.0.1:8000/v1', credentialsOptional: true, openAICompatible: true },
  'openai-compatible': { credentialsOptional: true, openAICompatible: true },
  mock: { baseURL: 'mock://switchyard', credentialsOptional: true, openAICompatible: false },
} as const satisfies Record<ProviderName, ProviderDefaults>;

export const PROVIDER_DEFAULTS: Readonly<Record<ProviderName, ProviderDefaults>> = PROVIDER_TABLE;

/** The providers served by the gateway's OpenAI-compatible adapter, derived from the table above. */
export type OpenAICompatibleProvider = {
  [P in ProviderName]: (typeof PROVIDER_TABLE)[P]['openAICompatible'] extends true ? P : never;
}[ProviderName];

/** The backend's base URL: its own (without a trailing slash) or the provider default. */
export function resolveBaseURL(
  provider: ProviderName,
  baseURL: string | undefined,
  context: { region?: string; location?: string },
): string | undefined {
  if (baseURL !== undefined) return baseURL.replace(/\/+$/, '');
  const template = PROVIDER_DEFAULTS[provider].baseURL;
  if (template === undefined) return undefined;
  if (template.includes('{region}')) {
    return context.region ? template.replace('{region}', context.region) : undefined;
  }
  if (template.includes('{location}-')) {
    if (!context.location) return undefined;
    // Vertex AI's global location has no regional host prefix.
    return context.location === 'global' ? template.replace('{location}-', '') : template.replace('{location}', context.location);
  }
  return template;
}
