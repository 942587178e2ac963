// OpenAI's realtime socket: wss://api.openai.com/v1/realtime?model=<model>, authenticated like
// its HTTP API with a Bearer key (docs/providers/openai.md, "Realtime").
import type { BackendTarget } from '../../unified/provider-codec.js';
import type { RealtimeUpstreamRequest } from '../../unified/realtime.js';
import { webSocketBase } from '../realtime-socket-url.js';

export function openAIRealtimeUpstream(target: BackendTarget, callerHeaders: Readonly<Record<string, string>>): RealtimeUpstreamRequest {
  const headers: Record<string, string> = { ...callerHeaders };
  if (target.credential?.apiKey) headers.authorization = `Bearer ${target.credential.apiKey}`;
  return { url: `${webSocketBase(target.backend.baseURL)}/realtime?model=${encodeURIComponent(target.backend.model)}`, headers };
}
