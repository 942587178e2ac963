// Google Generative Language API (generateContent, streamGenerateContent, embedContent,
// batchEmbedContents, countTokens, models): both directions, as caller and as provider.

export { decodeGeminiEmbeddingsRequest } from './decode-gemini-embeddings-request.js';
export { decodeGeminiError } from './decode-gemini-error.js';
export { decodeGeminiGenerateContentRequest } from './decode-gemini-generate-content-request.js';
export { decodeGeminiGenerateContentResponse } from './decode-gemini-generate-content-response.js';
export { encodeGeminiGenerateContentRequest } from './encode-gemini-generate-content-request.js';
export { encodeGeminiGenerateContentResponse } from './encode-gemini-generate-content-response.js';
export { encodeGoogleError } from './encode-google-error.js';
export {
  decodeGeminiEmbeddingsResponse,
  encodeGeminiEmbeddingsRequest,
  encodeGeminiEmbeddingsResponse,
  type GeminiEmbeddingsMethod,
} from './gemini-embeddings.js';
export { publicModelName } from './gemini-model-names.js';
export { GeminiSseStreamDecoder } from './gemini-stream-decoder.js';
export { GeminiStreamEncoder } from './gemini-stream-encoder.js';
export { geminiStreamFraming } from './gemini-stream-framing.js';
export { geminiModelListCodec } from './gemini-models-list.js';
export { geminiCountTokensCodec } from './gemini-count-tokens.js';
