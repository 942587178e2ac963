// Bedrock InvokeModel embeddings body -> unified embeddings response.
//
// Titan answers `{"embedding": [...], "inputTextTokenCount": n}` (V2 adds `embeddingsByType`).
// Cohere answers `{"embeddings": [[...], ...], "id", "response_type": "embeddings_floats",
// "texts"}`, or `{"embeddings": {"float": [[...]]}, "response_type": "embeddings_by_type"}` when
// types were asked for. Cohere's token count travels only in the
// `X-Amzn-Bedrock-Input-Token-Count` response header, so the decoder reads it from there (Bedrock
// sends it for every InvokeModel answer; the body's count wins where the body has one).

import type { UnifiedEmbeddingsResponse } from '../../unified/chat-response.js';
import type { UpstreamHeaders } from '../../unified/provider-codec.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { bedrockEmbeddingFamily } from './bedrock-embedding-model.js';
import { isRecord } from '@switchyard/compiler';

function isVector(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

function malformed(modelId: string, what: string): UpstreamFailure {
  return new UpstreamFailure('ServerError', 200, `Bedrock returned a malformed embeddings response for ${modelId}: ${what}`);
}

function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

/** Bedrock's `X-Amzn-Bedrock-Input-Token-Count` header (node lower-cases header names). */
function headerTokenCount(headers: UpstreamHeaders | undefined): number {
  const raw = headers?.['x-amzn-bedrock-input-token-count'];
  const text = Array.isArray(raw) ? raw[0] : raw;
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : 0;
}

export function decodeBedrockEmbeddings(body: unknown, modelId: string, headers?: UpstreamHeaders): UnifiedEmbeddingsResponse {
  const family = bedrockEmbeddingFamily(modelId);
  if (!isRecord(body)) throw malformed(modelId, 'the body is not a JSON object');

  if (family === 'cohere') {
    const listed = isRecord(body.embeddings) ? body.embeddings.float : body.embeddings;
    if (!Array.isArray(listed)) throw malformed(modelId, 'no embeddings list of floats');
    const embeddings = listed.map((vector, index) => {
      if (!isVector(vector)) throw malformed(modelId, `embeddings[${index}] is not a list of numbers`);
      return vector;
    });
    return { model: modelId, embeddings, usage: { inputTokens: headerTokenCount(headers) } };
  }

  const byType = isRecord(body.embeddingsByType) ? body.embeddingsByType.float : undefined;
  const vector = isVector(body.embedding) ? body.embedding : byType;
  if (!isVector(vector)) throw malformed(modelId, 'no embedding list of numbers');
  return { model: modelId, embeddings: [vector], usage: { inputTokens: tokenCount(body.inputTextTokenCount) } };
}
