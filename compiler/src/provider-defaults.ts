// Default base URLs, in each provider's own SDK sense of "base URL" (see DESIGN.md: OpenAI-style
// providers include the API version, Anthropic and Gemini are hosts, Bedrock is the runtime host).

import type { ProviderName } from './table-types.js';

export interface ProviderDefaults {
  /** Default base URL; `{region}` is replaced by bedrock.region. Absent: the route must set baseURL. */
  baseURL?: string;
  /** Whether a backend of this provider may omit credentials (local servers, mock). */
  credentialsOptional: boolean;
}

export const PROVIDER_DEFAULTS: Readonly<Record<ProviderName, ProviderDefaults>> = {
  openai: { baseURL: 'https://api.openai.com/v1', credentialsOptional: false },
  'azure-openai': { credentialsOptional: false },
  anthropic: { baseURL: 'https://api.anthropic.com', credentialsOptional: false },
  gemini: { baseURL: 'https://generativelanguage.googleapis.com', credentialsOptional: false },
  'vertex-ai': { baseURL: 'https://{location}-aiplatform.googleapis.com', credentialsOptional: false },
  bedrock: { baseURL: 'https://bedrock-runtime.{region}.amazonaws.com', credentialsOptional: false },
  mistral: { baseURL: 'https://api.mistral.ai/v1', credentialsOptional: false },
  groq: { baseURL: 'https://api.groq.com/openai/v1', credentialsOptional: false },
  deepseek: { baseURL: 'https://api.deepseek.com/v1', credentialsOptional: false },
  xai: { baseURL: 'https://api.x.ai/v1', credentialsOptional: false },
  together: { baseURL: 'https://api.together.xyz/v1', credentialsOptional: false },
  fireworks: { baseURL: 'https://api.fireworks.ai/inference/v1', credentialsOptional: false },
  openrouter: { baseURL: 'https://openrouter.ai/api/v1', credentialsOptional: false },
  cohere: { baseURL: 'https://api.cohere.ai/compatibility/v1', credentialsOptional: false },
  ollama: { baseURL: 'http://127.0.0.1:11434/v1', credentialsOptional: true },
  vllm: { baseURL: 'http://127.0.0.1:8000/v1', credentialsOptional: true },
  'openai-compatible': { credentialsOptional: true },
  mock: { baseURL: 'mock://switchyard', credentialsOptional: true },
};

export const PROVIDER_NAMES = Object.keys(PROVIDER_DEFAULTS) as ProviderName[];

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
