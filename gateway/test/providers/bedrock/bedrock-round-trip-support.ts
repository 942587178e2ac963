import type { BackendTarget } from '../../../src/unified/provider-codec.js';
import type { HttpProviderAdapter } from '../../../src/providers/provider-adapter.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';

export interface StreamOutcome {
  events: UnifiedStreamEvent[];
  /** Set when the stream failed after it began; `events` holds what arrived before. */
  failure?: UpstreamFailure;
}

async function send(adapter: HttpProviderAdapter, request: UnifiedChatRequest, target: BackendTarget): Promise<Response> {
  const upstream = adapter.encodeChatRequest(request, target);
  const init: RequestInit = { method: upstream.method, headers: upstream.headers };
  if (upstream.body !== undefined) init.body = upstream.body;
  const response = await fetch(upstream.url, init);
  if (!response.ok) {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    throw adapter.decodeError(response.status, headers, await response.text());
  }
  return response;
}

/** What the gateway's call stage does with one non-streaming attempt, minus retries. */
export async function completeThroughAdapter(
  adapter: HttpProviderAdapter,
  request: UnifiedChatRequest,
  target: BackendTarget,
): Promise<UnifiedChatResponse> {
  const response = await send(adapter, { ...request, stream: false }, target);
  return adapter.decodeChatResponse(await response.json(), target);
}

/** One streaming attempt: bytes through the adapter's decoder; a dropped connection reaches end(). */
export async function streamThroughAdapter(
  adapter: HttpProviderAdapter,
  request: UnifiedChatRequest,
  target: BackendTarget,
): Promise<StreamOutcome> {
  const response = await send(adapter, { ...request, stream: true }, target);
  const decoder = adapter.createStreamDecoder(target);
  const events: UnifiedStreamEvent[] = [];
  try {
    if (!response.body) throw new Error('no response body');
    for await (const chunk of response.body) events.push(...decoder.push(chunk));
  } catch (error) {
    if (error instanceof UpstreamFailure) return { events, failure: error };
    // The connection dropped: what the decoder holds decides.
  }
  try {
    events.push(...decoder.end());
    return { events };
  } catch (error) {
    if (error instanceof UpstreamFailure) return { events, failure: error };
    throw error;
  }
}

export async function failureOf(promise: Promise<unknown>): Promise<UpstreamFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamFailure) return error;
    throw error;
  }
  throw new Error('expected an UpstreamFailure');
}
