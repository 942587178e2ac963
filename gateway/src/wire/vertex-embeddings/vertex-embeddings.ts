// Unified embeddings <-> Vertex AI text embeddings (`:predict` on a Google model):
//   request   {"instances": [{"content": "...", "task_type"?: "..."}], "parameters"?: {"outputDimensionality": n}}
//   response  {"predictions": [{"embeddings": {"values": [...], "statistics": {"token_count": n, "truncated": b}}}]}
// Token counts are per input; their sum is the request's input tokens.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { UnifiedEmbeddingsResponse } from '../../unified/chat-response.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';

interface VertexEmbeddingInstance {
  content: string;
  task_type?: string;
}

export interface VertexPredictEmbeddingsRequest {
  instances: VertexEmbeddingInstance[];
  parameters?: { outputDimensionality?: number };
}

export function encodeVertexEmbeddingsRequest(request: UnifiedEmbeddingsRequest): VertexPredictEmbeddingsRequest {
  if (request.input.length === 0) throw invalidRequest('input must hold at least one text to embed', 'input');
  const instances = request.input.map(
    (content): VertexEmbeddingInstance => (request.taskType === undefined ? { content } : { content, task_type: request.taskType }),
  );
  const body: VertexPredictEmbeddingsRequest = { instances };
  if (request.dimensions !== undefined) body.parameters = { outputDimensionality: request.dimensions };
  return body;
}

export function decodeVertexEmbeddingsResponse(body: unknown, model: string): UnifiedEmbeddingsResponse {
  const predictions = typeof body === 'object' && body !== null ? (body as { predictions?: unknown }).predictions : undefined;
  if (!Array.isArray(predictions))
    throw new UpstreamFailure('Other', 200, 'Vertex AI returned an embeddings body without a predictions list');
  let inputTokens = 0;
  const embeddings = predictions.map((prediction, i) => {
    const embedding =
      typeof prediction === 'object' && prediction !== null ? (prediction as { embeddings?: unknown }).embeddings : undefined;
    const values = typeof embedding === 'object' && embedding !== null ? (embedding as { values?: unknown }).values : undefined;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) {
      throw new UpstreamFailure('Other', 200, `Vertex AI returned prediction ${i} without a list of numbers at embeddings.values`);
    }
    const statistics = (embedding as { statistics?: unknown }).statistics;
    const tokenCount =
      typeof statistics === 'object' && statistics !== null ? (statistics as { token_count?: unknown }).token_count : undefined;
    if (typeof tokenCount === 'number' && Number.isFinite(tokenCount) && tokenCount > 0) inputTokens += Math.round(tokenCount);
    return values as number[];
  });
  return { model, embeddings, usage: { inputTokens } };
}
