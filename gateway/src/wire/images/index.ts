// The images wire format, both directions: the caller's OpenAI Images requests and answer, and
// the upstream dialects (OpenAI/Azure OpenAI Images, Imagen `:predict`, Titan Image Generator).
export { convertToImagenPredictRequest, decodeImagenPredictResponse } from './imagen-predict.js';
export { convertToOpenAIImageEdit, convertToOpenAIImageGeneration } from './convert-to-openai-image-request.js';
export { convertToTitanImageRequest, decodeTitanImageResponse } from './titan-image.js';
export { decodeImageEditRequest, decodeImageGenerationRequest } from './decode-image-request.js';
export { decodeOpenAIImageResponse } from './decode-openai-image-response.js';
export { encodeImageResponse } from './encode-image-response.js';
