// The Anthropic Messages front door: `POST /anthropic/v1/messages`, so the official Anthropic
// SDKs work with only their base URL changed (`<gateway>/anthropic`) and a virtual key as the
// API key. Requests decode into the unified model; answers, streams and errors are written by
// the shared Anthropic wire-format converters in wire/anthropic-messages, whatever provider answered.

import type { GatewayError } from '../../errors/gateway-error.js';
import {
  anthropicCountTokensCodec,
  anthropicModelListCodec,
  createAnthropicStreamEncoder,
  decodeAnthropicMessagesRequest,
  encodeAnthropicError,
  encodeAnthropicResponse,
} from '../../wire/anthropic-messages/index.js';
import type { UnifiedChatRequest } from '../../unified/chat-request.js';
import type { UnifiedChatResponse } from '../../unified/chat-response.js';
import type { EncodedError, FrontDoorContext, FrontDoorStreamEncoder } from '../../unified/front-door-codec.js';
import type { ChatFrontDoor, FrontDoorDeclaration } from '../front-door.js';
import { modelIdPath } from '../front-door.js';

export const anthropicMessagesFrontDoor: ChatFrontDoor = {
  format: 'anthropic',

  decodeChatRequest(body: unknown): UnifiedChatRequest {
    return decodeAnthropicMessagesRequest(body);
  },

  encodeChatResponse(response: UnifiedChatResponse, requestedModel: string): string {
    return JSON.stringify(encodeAnthropicResponse(response, requestedModel));
  },

  createStreamEncoder(requestedModel: string, context: FrontDoorContext): FrontDoorStreamEncoder {
    return createAnthropicStreamEncoder(requestedModel, { requestId: context.requestId });
  },

  encodeError(error: GatewayError): EncodedError {
    return encodeAnthropicError(error);
  },
};

const ANTHROPIC_ROOT = '/anthropic/';
const ANTHROPIC_MESSAGES_PATH = '/anthropic/v1/messages';
const ANTHROPIC_COUNT_TOKENS_PATH = '/anthropic/v1/messages/count_tokens';
const ANTHROPIC_MODELS_PATH = '/anthropic/v1/models';

/** count_tokens and the model list never reach a provider; every other path under /anthropic/ is a 404 in Anthropic's shape. */
export const anthropicFrontDoorDeclaration: FrontDoorDeclaration = {
  endpoints: [
    { method: 'POST', path: ANTHROPIC_MESSAGES_PATH, operation: 'chat', frontDoor: anthropicMessagesFrontDoor },
    {
      method: 'POST',
      path: ANTHROPIC_COUNT_TOKENS_PATH,
      operation: 'count-tokens',
      frontDoor: anthropicMessagesFrontDoor,
      codec: anthropicCountTokensCodec,
    },
    {
      method: 'GET',
      path: ANTHROPIC_MODELS_PATH,
      operation: 'list-models',
      frontDoor: anthropicMessagesFrontDoor,
      codec: anthropicModelListCodec,
    },
    {
      method: 'GET',
      path: modelIdPath(`${ANTHROPIC_MODELS_PATH}/`),
      operation: 'get-model',
      frontDoor: anthropicMessagesFrontDoor,
      codec: anthropicModelListCodec,
    },
  ],
  root: ANTHROPIC_ROOT,
  encodeError: encodeAnthropicError,
};
