// Vertex AI text embeddings (`:predict`) both ways.

export { decodeVertexEmbeddingsResponse, encodeVertexEmbeddingsRequest } from './vertex-embeddings.js';
