// What a cache entry holds: the unified answer (encoded per front door on the way out), the name
// of the backend that produced it, and when it was stored (for the `age` header). Never the prompt.
import type { UnifiedChatResponse } from '../unified/chat-response.js';

export interface CachedAnswer {
  response: UnifiedChatResponse;
  backend: string;
  storedAtMs: number;
}

/** One entry at most this large serialized; bigger answers are not stored. */
export const MAX_ENTRY_BYTES = 1024 * 1024;

/** Finish reasons of an answer that completed normally; anything else is never stored. */
export function isCacheableResponse(response: UnifiedChatResponse): boolean {
  return response.finishReason === 'stop' || response.finishReason === 'length' || response.finishReason === 'tool_calls';
}

export function serializeCachedAnswer(answer: CachedAnswer): string {
  return JSON.stringify(answer);
}

/** Undefined when the text is not an entry this gateway wrote (another version, corruption). */
export function parseCachedAnswer(text: string): CachedAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const response = record.response;
  if (typeof record.backend !== 'string' || typeof record.storedAtMs !== 'number') return undefined;
  if (typeof response !== 'object' || response === null) return undefined;
  const body = response as Record<string, unknown>;
  if (!Array.isArray(body.content) || typeof body.finishReason !== 'string' || typeof body.usage !== 'object' || body.usage === null)
    return undefined;
  return value as CachedAnswer;
}
