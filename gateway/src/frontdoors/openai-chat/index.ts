// The OpenAI front door: POST /v1/chat/completions, POST /v1/embeddings, POST /v1/moderations,
// POST /v1/rerank (also at /v2/rerank, the path Cohere's SDK calls), POST /v1/images/generations
// and /v1/images/edits, GET /v1/models[/{id}] and GET /v1/realtime (a WebSocket upgrade, served by
// pipeline/realtime-operation.ts).
//
// Two request options shape the reply but have no place in the unified request:
// `stream_options.include_usage` and the embeddings `encoding_format`. They are remembered per
// FrontDoorContext object between decode and encode, so the pipeline must hand the same context
// object to both calls (it does: one context per request).

import type { GatewayError } from '../../errors/gateway-error.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../../unified/chat-response.js';
import type { EncodedError, FrontDoorContext, FrontDoorStreamEncoder } from '../../unified/front-door-codec.js';
import type {
  ChatFrontDoor,
  EmbeddingsFrontDoor,
  FrontDoorDeclaration,
  ImagesFrontDoor,
  ModerationsFrontDoor,
  RerankFrontDoor,
} from '../front-door.js';
import { modelIdPath, objectIdPath } from '../front-door.js';
import {
  decodeOpenAIChatRequest,
  decodeOpenAIEmbeddingsRequest,
  decodeOpenAIModerationsRequest,
  encodeOpenAIModerationsResponse,
  encodeOpenAIChatCompletion,
  encodeOpenAIEmbeddingsResponse,
  encodeOpenAIError,
  OpenAIChatStreamEncoder,
  openAIModelListCodec,
} from '../../wire/openai-chat/index.js';
import { decodeRerankRequest, encodeRerankResponse } from '../../wire/rerank/index.js';
import { decodeImageEditRequest, decodeImageGenerationRequest, encodeImageResponse } from '../../wire/images/index.js';

const includeUsageByContext = new WeakMap<FrontDoorContext, boolean>();
const encodingFormatByContext = new WeakMap<FrontDoorContext, 'float' | 'base64'>();

export const openAIChatFrontDoor: ChatFrontDoor & EmbeddingsFrontDoor & ModerationsFrontDoor & RerankFrontDoor & ImagesFrontDoor = {
  format: 'openai',

  decodeChatRequest(body: unknown, context: FrontDoorContext): UnifiedChatRequest {
    const { request, includeUsage } = decodeOpenAIChatRequest(body, context.pathModel);
    includeUsageByContext.set(context, includeUsage);
    return request;
  },

  encodeChatResponse(response: UnifiedChatResponse, requestedModel: string): string {
    return JSON.stringify(encodeOpenAIChatCompletion(response, requestedModel));
  },

  createStreamEncoder(requestedModel: string, context: FrontDoorContext): FrontDoorStreamEncoder {
    return new OpenAIChatStreamEncoder(requestedModel, includeUsageByContext.get(context) ?? false);
  },

  encodeError(error: GatewayError): EncodedError {
    return encodeOpenAIError(error);
  },

  decodeEmbeddingsRequest(body: unknown, context: FrontDoorContext): UnifiedEmbeddingsRequest {
    const request = decodeOpenAIEmbeddingsRequest(body, context.pathModel);
    if (request.encodingFormat) encodingFormatByContext.set(context, request.encodingFormat);
    return request;
  },

  encodeEmbeddingsResponse(response: UnifiedEmbeddingsResponse, requestedModel: string, context: FrontDoorContext): string {
    return JSON.stringify(encodeOpenAIEmbeddingsResponse(response, requestedModel, encodingFormatByContext.get(context)));
  },

  decodeModerationsRequest: (body) => decodeOpenAIModerationsRequest(body),
  encodeModerationsResponse: (response, requestedModel) => encodeOpenAIModerationsResponse(response, requestedModel),

  // Rerank is not an OpenAI API; it is served here because its callers expect OpenAI-style
  // errors and Bearer keys, the two things this door gives every endpoint.
  decodeRerankRequest: (body) => decodeRerankRequest(body),
  encodeRerankResponse: (response, request, id) => encodeRerankResponse(response, request, id),

  decodeImageGenerationRequest: (body) => decodeImageGenerationRequest(body),
  decodeImageEditRequest: (form) => decodeImageEditRequest(form),
  encodeImageResponse: (response) => encodeImageResponse(response),
};

/** The OpenAI door claims no root: its error shape is the gateway's default for paths no door claims. */
export const openAIChatFrontDoorDeclaration: FrontDoorDeclaration = {
  endpoints: [
    { method: 'POST', path: '/v1/chat/completions', operation: 'chat', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/embeddings', operation: 'embeddings', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/moderations', operation: 'moderations', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/rerank', operation: 'rerank', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v2/rerank', operation: 'rerank', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/images/generations', operation: 'images', images: 'generate', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/images/edits', operation: 'images', images: 'edit', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/audio/transcriptions', operation: 'transcriptions', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/audio/translations', operation: 'translations', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/audio/speech', operation: 'speech', frontDoor: openAIChatFrontDoor },
    { method: 'GET', path: '/v1/realtime', operation: 'realtime', frontDoor: openAIChatFrontDoor },
    { method: 'GET', path: '/v1/models', operation: 'list-models', frontDoor: openAIChatFrontDoor, codec: openAIModelListCodec },
    { method: 'GET', path: '/v1/files', operation: 'files', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/files', operation: 'files', frontDoor: openAIChatFrontDoor },
    { method: 'GET', path: objectIdPath('/v1/files/', undefined), operation: 'files', frontDoor: openAIChatFrontDoor },
    { method: 'DELETE', path: objectIdPath('/v1/files/', undefined), operation: 'files', frontDoor: openAIChatFrontDoor },
    { method: 'GET', path: objectIdPath('/v1/files/', 'content'), operation: 'files', frontDoor: openAIChatFrontDoor },
    { method: 'GET', path: '/v1/batches', operation: 'batches', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: '/v1/batches', operation: 'batches', frontDoor: openAIChatFrontDoor },
    { method: 'GET', path: objectIdPath('/v1/batches/', undefined), operation: 'batches', frontDoor: openAIChatFrontDoor },
    { method: 'POST', path: objectIdPath('/v1/batches/', 'cancel'), operation: 'batches', frontDoor: openAIChatFrontDoor },
    {
      method: 'GET',
      path: modelIdPath('/v1/models/'),
      operation: 'get-model',
      frontDoor: openAIChatFrontDoor,
      codec: openAIModelListCodec,
    },
  ],
  encodeError: encodeOpenAIError,
};
