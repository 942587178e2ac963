// The Gemini front door objects. The two embeddings methods answer in different shapes, so each
// has its own object (the route says which was called); chat behaves the same in both.

import type { GatewayError } from '../../errors/gateway-error.js';
import {
  encodeGeminiGenerateContentResponse,
  encodeGoogleError,
  encodeGeminiEmbeddingsResponse,
  type GeminiEmbeddingsMethod,
  GeminiStreamEncoder,
  decodeGeminiGenerateContentRequest,
  decodeGeminiEmbeddingsRequest,
  geminiStreamFraming,
} from '../../wire/gemini/index.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../../unified/chat-response.js';
import type { ChatFrontDoor, EmbeddingsFrontDoor } from '../front-door.js';
import type { EncodedError, FrontDoorContext, FrontDoorStreamEncoder } from '../../unified/front-door-codec.js';

export type GeminiFrontDoor = ChatFrontDoor & EmbeddingsFrontDoor;

function createGeminiFrontDoor(embeddingsMethod: GeminiEmbeddingsMethod): GeminiFrontDoor {
  return {
    format: 'gemini',

    decodeChatRequest(body: unknown, context: FrontDoorContext): UnifiedChatRequest {
      return decodeGeminiGenerateContentRequest(body, context);
    },

    encodeChatResponse(response: UnifiedChatResponse, requestedModel: string): string {
      return JSON.stringify(encodeGeminiGenerateContentResponse(response, requestedModel));
    },

    createStreamEncoder(requestedModel: string, context: FrontDoorContext): FrontDoorStreamEncoder {
      return new GeminiStreamEncoder(requestedModel, geminiStreamFraming(context));
    },

    encodeError(error: GatewayError): EncodedError {
      return encodeGoogleError(error);
    },

    decodeEmbeddingsRequest(body: unknown, context: FrontDoorContext): UnifiedEmbeddingsRequest {
      return decodeGeminiEmbeddingsRequest(body, context, embeddingsMethod);
    },

    encodeEmbeddingsResponse(response: UnifiedEmbeddingsResponse): string {
      return JSON.stringify(encodeGeminiEmbeddingsResponse(response, embeddingsMethod));
    },
  };
}

/** generateContent, streamGenerateContent and embedContent. */
export const geminiFrontDoor: GeminiFrontDoor = createGeminiFrontDoor('embedContent');
/** batchEmbedContents (its chat methods are geminiFrontDoor's). */
export const geminiBatchEmbedFrontDoor: GeminiFrontDoor = createGeminiFrontDoor('batchEmbedContents');
