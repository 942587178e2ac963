// Bedrock InvokeModel embeddings bodies (Titan Text Embeddings, Cohere Embed) both ways.

export { convertToBedrockEmbeddings } from './convert-to-bedrock-embeddings.js';
export { decodeBedrockEmbeddings } from './decode-bedrock-embeddings.js';
