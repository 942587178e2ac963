export { anthropicAdapter, createAnthropicAdapter, anthropicMessagesUrl, type AnthropicAdapterOptions } from './anthropic-adapter.js';
export { convertToAnthropicMessagesRequest } from '../../wire/anthropic-messages/convert-to-anthropic-messages.js';
export { decodeAnthropicResponse } from '../../wire/anthropic-messages/decode-anthropic-response.js';
export { AnthropicStreamDecoder, createAnthropicStreamDecoder } from '../../wire/anthropic-messages/anthropic-stream-decoder.js';
export { decodeAnthropicError, decodeAnthropicStreamError } from '../../wire/anthropic-messages/decode-anthropic-error.js';
export { JSON_RESPONSE_TOOL_NAME } from '../../wire/anthropic-messages/json-response-tool.js';
