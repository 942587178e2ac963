// Drives an HttpProviderAdapter against a real HTTP server with fetch, the way the pipeline
// does with undici: encode, send, then decode the body, the stream or the error.

import type { BackendTarget } from '../../../src/unified/provider-codec.js';
import type { HttpProviderAdapter } from '../../../src/providers/provider-adapter.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../../src/unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../../../src/unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';

async function send(
  adapter: HttpProviderAdapter,
  request: { url: string; method: string; headers: Record<string, string>; body?: string | Uint8Array },
): Promise<Response> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body ?? null,
    redirect: 'manual',
  });
  if (!response.ok) {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    throw adapter.decodeError(response.status, headers, await response.text());
  }
  return response;
}

export async function completeOverHttp(
  adapter: HttpProviderAdapter,
  request: UnifiedChatRequest,
  target: BackendTarget,
): Promise<UnifiedChatResponse> {
  const response = await send(adapter, adapter.encodeChatRequest({ ...request, stream: false }, target));
  return adapter.decodeChatResponse(await response.json(), target);
}

export async function streamOverHttp(
  adapter: HttpProviderAdapter,
  request: UnifiedChatRequest,
  target: BackendTarget,
): Promise<UnifiedStreamEvent[]> {
  const response = await send(adapter, adapter.encodeChatRequest({ ...request, stream: true }, target));
  const decoder = adapter.createStreamDecoder(target);
  const events: UnifiedStreamEvent[] = [];
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    events.push(...decoder.push(value));
  }
  events.push(...decoder.end());
  return events;
}

export async function embedOverHttp(
  adapter: HttpProviderAdapter,
  request: UnifiedEmbeddingsRequest,
  target: BackendTarget,
): Promise<UnifiedEmbeddingsResponse> {
  const response = await send(adapter, adapter.encodeEmbeddingsRequest!(request, target));
  return adapter.decodeEmbeddingsResponse!(await response.json(), target);
}
