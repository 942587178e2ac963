export { anthropicAdapter, createAnthropicAdapter, anthropicMessagesUrl, type AnthropicAdapterOptions } from './anthropic-adapter.js';
export { convertToAnthropicMessagesRequest, THINKING_BUDGET_BY_EFFORT, MIN_THINKING_BUDGET_TOKENS } from './convert-to-anthropic-messages.js';
export { decodeAnthropicResponse } from './decode-anthropic-response.js';
export { AnthropicStreamDecoder, createAnthropicStreamDecoder } from './anthropic-stream-decoder.js';
export { decodeAnthropicError, decodeAnthropicStreamError } from './anthropic-errors.js';
export { JSON_RESPONSE_TOOL_NAME } from './json-response-tool.js';
