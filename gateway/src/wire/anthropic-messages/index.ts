// Anthropic Messages API (`POST /v1/messages`): caller requests -> unified, unified -> provider
// requests, provider answers and streams -> unified, unified -> caller answers, streams and errors.

export { encodeAnthropicError } from './anthropic-error-body.js';
export { ANTHROPIC_VERSION, type AnthropicMessagesRequest } from './anthropic-messages-types.js';
export { AnthropicStreamDecoder } from './anthropic-stream-decoder.js';
export { createAnthropicStreamEncoder } from './anthropic-stream-encoder.js';
export { resolveThinkingBudget } from './anthropic-thinking-budget.js';
export { convertToAnthropicMessagesRequest } from './convert-to-anthropic-messages.js';
export { decodeAnthropicError } from './decode-anthropic-error.js';
export { decodeAnthropicMessagesRequest } from './decode-anthropic-messages-request.js';
export { decodeAnthropicResponse } from './decode-anthropic-response.js';
export { encodeAnthropicResponse } from './encode-anthropic-response.js';
export { anthropicModelListCodec } from './anthropic-models-list.js';
export { anthropicCountTokensCodec } from './count-anthropic-tokens.js';
