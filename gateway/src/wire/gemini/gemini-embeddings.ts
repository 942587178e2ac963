// Unified embeddings <-> Gemini `:embedContent` (one input) and `:batchEmbedContents` (several).
//
// The Generative Language API reports no token counts for embeddings. When a response carries
// them anyway (`usageMetadata.promptTokenCount`, or Vertex-style per-embedding
// `statistics.tokenCount`) they are summed; otherwise inputTokens is 0 and the caller has to
// estimate from the input.

import { invalidRequest } from '../../errors/gateway-error.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import type { UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { UnifiedEmbeddingsResponse } from '../../unified/chat-response.js';
import type {
  GeminiBatchEmbedContentsRequest,
  GeminiBatchEmbedContentsResponse,
  GeminiEmbedContentRequest,
  GeminiEmbedContentResponse,
} from './gemini-wire-types.js';

export type GeminiEmbeddingsMethod = 'embedContent' | 'batchEmbedContents';

interface EncodedGeminiEmbeddingsRequest {
  method: GeminiEmbeddingsMethod;
  body: GeminiEmbedContentRequest | GeminiBatchEmbedContentsRequest;
}

/** `modelResource` is `models/<id>`, which each request inside a batch must name. */
export function encodeGeminiEmbeddingsRequest(request: UnifiedEmbeddingsRequest, modelResource: string): EncodedGeminiEmbeddingsRequest {
  if (request.input.length === 0) throw invalidRequest('input must hold at least one text to embed', 'input');
  const one = (text: string): GeminiEmbedContentRequest => {
    const entry: GeminiEmbedContentRequest = { model: modelResource, content: { parts: [{ text }] } };
    if (request.taskType !== undefined) entry.taskType = request.taskType;
    if (request.dimensions !== undefined) entry.outputDimensionality = request.dimensions;
    return entry;
  };
  if (request.input.length === 1) return { method: 'embedContent', body: one(request.input[0] as string) };
  return { method: 'batchEmbedContents', body: { requests: request.input.map(one) } };
}

export function decodeGeminiEmbeddingsResponse(body: unknown, model: string): UnifiedEmbeddingsResponse {
  if (typeof body !== 'object' || body === null)
    throw new UpstreamFailure('Other', 200, 'Gemini returned an embeddings body that is not an object');
  const record = body as Record<string, unknown>;
  const list = Array.isArray(record['embeddings'])
    ? record['embeddings']
    : record['embedding'] !== undefined
      ? [record['embedding']]
      : undefined;
  if (list === undefined)
    throw new UpstreamFailure('Other', 200, 'Gemini returned an embeddings body with neither embedding nor embeddings');
  let tokens = readCount((record['usageMetadata'] as Record<string, unknown> | undefined)?.['promptTokenCount']);
  const embeddings = list.map((entry, i) => {
    const values = (entry as { values?: unknown } | null)?.values;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) {
      throw new UpstreamFailure('Other', 200, `Gemini returned embedding ${i} without a list of numbers`);
    }
    tokens += readCount((entry as { statistics?: Record<string, unknown> }).statistics?.['tokenCount']);
    return values as number[];
  });
  return { model, embeddings, usage: { inputTokens: tokens } };
}

/** The reverse direction, for the Gemini front door: `:embedContent` or `:batchEmbedContents` body. */
export function encodeGeminiEmbeddingsResponse(
  response: UnifiedEmbeddingsResponse,
  method: GeminiEmbeddingsMethod,
): GeminiEmbedContentResponse | GeminiBatchEmbedContentsResponse {
  if (method === 'embedContent') return { embedding: { values: response.embeddings[0] ?? [] } };
  return { embeddings: response.embeddings.map((values) => ({ values })) };
}

function readCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
