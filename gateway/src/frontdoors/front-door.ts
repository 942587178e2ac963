import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../unified/chat-response.js';
import type { CallerFormat, EncodedError, FrontDoorContext, FrontDoorStreamEncoder } from '../unified/front-door-codec.js';
import type { GatewayError } from '../errors/gateway-error.js';

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
