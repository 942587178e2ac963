// `gen_ai.provider.name` for each Switchyard provider: the OpenTelemetry GenAI registry's value
// where it has one, else the Switchyard provider name (the registry allows custom values).
import type { ProviderName } from '@switchyard/compiler';

const REGISTERED: Readonly<Partial<Record<ProviderName, string>>> = {
  openai: 'openai',
  'azure-openai': 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  'vertex-ai': 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  mistral: 'mistral_ai',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'x_ai',
  cohere: 'cohere',
};

export function genAiProviderName(provider: ProviderName): string {
  return REGISTERED[provider] ?? provider;
}
