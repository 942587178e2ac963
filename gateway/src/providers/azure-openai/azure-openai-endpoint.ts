// Azure OpenAI addresses a deployment, not a model:
//   {baseURL}/openai/deployments/{deployment}/chat/completions?api-version={apiVersion}
// and authenticates with an `api-key` header instead of a Bearer token. `baseURL` is the
// resource endpoint, e.g. https://my-resource.openai.azure.com.

import type { AudioEndpoint } from '../../unified/audio.js';
import type { BackendTarget } from '../../unified/provider-codec.js';
import { trimSlash, type OpenAIFamilyEndpoint } from '../openai-family-adapter.js';
import type { OpenAIImageOperation } from '../openai-family-images.js';

export class AzureConfigurationError extends Error {
  constructor(backendName: string) {
    super(`azure-openai backend ${backendName} has no azure.deployment / azure.apiVersion`);
    this.name = 'AzureConfigurationError';
  }
}

function deploymentURL(
  target: BackendTarget,
  operation: 'chat/completions' | 'embeddings' | OpenAIImageOperation | `audio/${AudioEndpoint}`,
): string {
  const azure = target.backend.azure;
  if (!azure?.deployment || !azure.apiVersion) throw new AzureConfigurationError(target.backend.name);
  return `${trimSlash(target.backend.baseURL)}/openai/deployments/${encodeURIComponent(azure.deployment)}/${operation}?api-version=${encodeURIComponent(azure.apiVersion)}`;
}

export const azureOpenAIEndpoint: OpenAIFamilyEndpoint = {
  chatURL: (target) => deploymentURL(target, 'chat/completions'),
  embeddingsURL: (target) => deploymentURL(target, 'embeddings'),
  imagesURL: (target, operation) => deploymentURL(target, operation),
  // Whisper and the TTS models are deployments too: /openai/deployments/{d}/audio/{endpoint}
  audioURL: (target, endpoint) => deploymentURL(target, `audio/${endpoint}`),
  authHeaders: (target): Record<string, string> => (target.credential?.apiKey ? { 'api-key': target.credential.apiKey } : {}),
  modelInBody: false,
};
