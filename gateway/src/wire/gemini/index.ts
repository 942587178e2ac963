// Gemini wire format, both directions: the Gemini provider adapter (and Vertex AI, which speaks
// the same bodies) encodes requests and decodes responses with it; the Gemini front door
// (`/genai/v1beta/...`) encodes responses, stream chunks and errors with it.

export * from './gemini-wire-types.js';
export { convertJsonSchemaToGeminiSchema, isEmptyObjectSchema } from './convert-json-schema-to-gemini-schema.js';
export { convertToGeminiContents, mediaTypeFromUrl, SKIP_THOUGHT_SIGNATURE_VALIDATOR, type GeminiPrompt } from './convert-to-gemini-contents.js';
export { convertGeminiSchemaToJsonSchema } from './convert-gemini-schema-to-json-schema.js';
export { convertToGeminiGenerationConfig, geminiModelGeneration } from './convert-to-gemini-generation-config.js';
export { prepareGeminiTools } from './prepare-gemini-tools.js';
export { encodeGeminiGenerateContentRequest } from './encode-gemini-generate-content-request.js';
export { decodeGeminiGenerateContentResponse, convertGeminiPartsToOutput } from './decode-gemini-generate-content-response.js';
export { GeminiSseStreamDecoder, GeminiStreamAssembler } from './gemini-stream-decoder.js';
export { mapGeminiFinishReason, toGeminiFinishReason } from './map-gemini-finish-reason.js';
export { usageFromGemini, usageToGemini } from './gemini-usage.js';
export { decodeGeminiError, upstreamFailureFromGoogleError, parseGoogleError, parseGoogleDuration } from './decode-gemini-error.js';
export {
  encodeGeminiEmbeddingsRequest,
  decodeGeminiEmbeddingsResponse,
  encodeGeminiEmbeddingsResponse,
  type GeminiEmbeddingsMethod,
} from './gemini-embeddings.js';
export { encodeGeminiGenerateContentResponse } from './encode-gemini-generate-content-response.js';
export { convertOutputToGeminiParts } from './convert-output-to-gemini-parts.js';
export { GeminiStreamEncoder, formatGeminiSseChunk, type GeminiStreamFraming } from './gemini-stream-encoder.js';
export { encodeGoogleError, googleErrorBody, googleStatusForHttpCode } from './encode-google-error.js';
