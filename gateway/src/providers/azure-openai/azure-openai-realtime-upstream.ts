// Azure OpenAI's realtime socket addresses a deployment, like its HTTP API:
//   wss://{resource}.openai.azure.com/openai/realtime?api-version={apiVersion}&deployment={deployment}
// authenticated with the `api-key` header (docs/providers/azure-openai.md, "Realtime").
import type { BackendTarget } from '../../unified/provider-codec.js';
import type { RealtimeUpstreamRequest } from '../../unified/realtime.js';
import { webSocketBase } from '../realtime-socket-url.js';
import { AzureConfigurationError } from './azure-openai-endpoint.js';

export function azureOpenAIRealtimeUpstream(
  target: BackendTarget,
  callerHeaders: Readonly<Record<string, string>>,
): RealtimeUpstreamRequest {
  const azure = target.backend.azure;
  if (!azure?.deployment || !azure.apiVersion) throw new AzureConfigurationError(target.backend.name);
  const headers: Record<string, string> = { ...callerHeaders };
  if (target.credential?.apiKey) headers['api-key'] = target.credential.apiKey;
  const query = `api-version=${encodeURIComponent(azure.apiVersion)}&deployment=${encodeURIComponent(azure.deployment)}`;
  return { url: `${webSocketBase(target.backend.baseURL)}/openai/realtime?${query}`, headers };
}
