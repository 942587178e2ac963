// The rerank wire format, both directions: the caller's /v1/rerank request and answer, and the
// upstream dialects (Cohere's /v2/rerank; the Jina-style /rerank of vLLM, Together, Infinity;
// the Bedrock Agent Runtime's Rerank).
export { bedrockRerankModelArn, convertToBedrockRerankRequest } from './convert-to-bedrock-rerank-request.js';
export { convertToCohereRerankRequest } from './convert-to-cohere-rerank-request.js';
export { convertToJinaRerankRequest } from './convert-to-jina-rerank-request.js';
export { decodeBedrockRerankResponse } from './decode-bedrock-rerank-response.js';
export { decodeCohereRerankResponse } from './decode-cohere-rerank-response.js';
export { decodeJinaRerankResponse } from './decode-jina-rerank-response.js';
export { decodeRerankRequest, MAX_RERANK_DOCUMENTS } from './decode-rerank-request.js';
export { encodeRerankResponse } from './encode-rerank-response.js';
