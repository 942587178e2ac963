// OpenAI Chat Completions and Embeddings: both directions, as caller and as provider (OpenAI, Azure
// OpenAI and every OpenAI-compatible provider speak it).

export { convertToOpenAIChatRequest } from './convert-to-openai-chat-request.js';
export { parseBase64DataUrl } from './data-url.js';
export { decodeOpenAIChatRequest } from './decode-openai-chat-request.js';
export { decodeOpenAIChatResponse } from './decode-openai-chat-response.js';
export { decodeOpenAIError } from './decode-openai-error.js';
export { decodeOpenAIFileData } from './decode-openai-file-data.js';
export { encodeOpenAIChatCompletion } from './encode-openai-chat-response.js';
export { encodeOpenAIError, openAIErrorBody } from './encode-openai-error.js';
export { OpenAIStreamDecoder } from './openai-chat-stream-decoder.js';
export { OpenAIChatStreamEncoder } from './openai-chat-stream-encoder.js';
export { PassthroughStreamRewriter, readPassthroughCompletion } from './openai-passthrough.js';
export { OPENAI_DIALECT, type OpenAIDialect } from './openai-dialect.js';
export { carryPromptCacheRetention } from './prompt-cache-retention.js';
export { decodeOpenAIEmbeddingsRequest, encodeOpenAIEmbeddingsResponse } from './openai-embeddings-caller.js';
export { convertToOpenAIEmbeddingsRequest, decodeOpenAIEmbeddingsResponse } from './openai-embeddings-upstream.js';
export { openAIModelListCodec } from './openai-models-list.js';
export {
  convertToOpenAIModerationsRequest,
  decodeOpenAIModerationsRequest,
  decodeOpenAIModerationsResponse,
  encodeOpenAIModerationsResponse,
} from './openai-moderations.js';
