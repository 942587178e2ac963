import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../unified/stream-events.js';
import type { GatewayError } from '../errors/gateway-error.js';

/** The wire format a caller spoke; replies and errors go back in it. */
export type CallerFormat = 'openai' | 'openai-responses' | 'anthropic' | 'gemini';

export interface FrontDoorContext {
  requestId: string;
  /** Model named by the path (Gemini `models/{model}:generateContent`), if any. */
  pathModel?: string;
  /** Streaming requested by the path (Gemini `:streamGenerateContent`) rather than the body. */
  pathStream?: boolean;
  /** The request URL's query parameters, for formats that put options there (Gemini `alt`). */
  query?: URLSearchParams;
  /** The authenticated virtual key (`namespace/name`): scopes per-tenant state such as stored responses. */
  keyId?: string;
}

export interface EncodedError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Streams a unified event sequence back in the caller's format. Closing frames come from
 * `end()` (after all events, so usage that arrives after the finish reason still lands in
 * them); `error()` ends a stream that failed after its first byte.
 */
export interface FrontDoorStreamEncoder {
  readonly contentType: string;
  encode(event: UnifiedStreamEvent): string;
  end(): string;
  error(error: GatewayError): string;
}

export interface ChatFrontDoor {
  readonly format: CallerFormat;
  /**
   * Throws (or rejects with) GatewayError('invalid_request', message naming the field, param) on
   * bad input. Synchronous unless decoding needs stored state (the Responses front door's
   * `previous_response_id` lookup), so other front doors cost no extra await.
   */
  decodeChatRequest(body: unknown, context: FrontDoorContext): UnifiedChatRequest | Promise<UnifiedChatRequest>;
  /** `requestedModel` is the public name the caller used; replies echo it. */
  encodeChatResponse(response: UnifiedChatResponse, requestedModel: string, context: FrontDoorContext): string;
  createStreamEncoder(requestedModel: string, context: FrontDoorContext): FrontDoorStreamEncoder;
  encodeError(error: GatewayError): EncodedError;
}

export interface EmbeddingsFrontDoor {
  decodeEmbeddingsRequest(body: unknown, context: FrontDoorContext): UnifiedEmbeddingsRequest;
  encodeEmbeddingsResponse(response: UnifiedEmbeddingsResponse, requestedModel: string, context: FrontDoorContext): string;
}
