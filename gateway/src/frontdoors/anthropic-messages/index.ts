// The Anthropic Messages front door: `POST /anthropic/v1/messages`, so the official Anthropic
// SDKs work with only their base URL changed (`<gateway>/anthropic`) and a virtual key as the
// API key. Requests decode into the unified model; answers, streams and errors are written by
// the shared Anthropic wire-format converters in wire/anthropic-messages, whatever provider answered.

import type { GatewayError } from '../../errors/gateway-error.js';
import { createAnthropicStreamEncoder, encodeAnthropicError, encodeAnthropicResponse, decodeAnthropicMessagesRequest } from '../../wire/anthropic-messages/index.js';
import type { UnifiedChatRequest } from '../../unified/chat-request.js';
import type { UnifiedChatResponse } from '../../unified/chat-response.js';
import type { ChatFrontDoor } from '../front-door.js';
import type { EncodedError, FrontDoorContext, FrontDoorStreamEncoder } from '../../unified/front-door-codec.js';

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

export { countAnthropicInputTokens, estimateInputTokens } from './count-anthropic-tokens.js';
export { anthropicModel, anthropicModelList, type AnthropicModelListQuery } from './anthropic-models-list.js';
export {
  serveAnthropicExtras,
  serveAnthropicCountTokens,
  serveAnthropicModels,
  ANTHROPIC_MODELS_PATH,
  ANTHROPIC_COUNT_TOKENS_PATH,
  ANTHROPIC_ROOT,
  type AnthropicExtrasDeps,
} from './serve-anthropic-extras.js';
