// Embeddings over the OpenAI wire format (`/embeddings`), for OpenAI and compatible providers.

import type { ProviderName } from '@switchyard/compiler';
import { decodeFloat32Base64 } from './float32-base64.js';
import { isRecord, optionalNumber, optionalString } from '@switchyard/compiler';
import type { OpenAIEmbeddingsRequest } from './openai-chat-types.js';
import type { UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { UnifiedEmbeddingsResponse } from '../../unified/chat-response.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';

/** Floats are always requested upstream: every compatible server supports them. */
export function convertToOpenAIEmbeddingsRequest(
  request: UnifiedEmbeddingsRequest,
  upstreamModel: string,
  sendUser: boolean,
): OpenAIEmbeddingsRequest {
  const body: OpenAIEmbeddingsRequest = { model: upstreamModel, input: request.input, encoding_format: 'float' };
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.user !== undefined && sendUser) body.user = request.user;
  return body;
}

export function decodeOpenAIEmbeddingsResponse(body: unknown, provider: ProviderName): UnifiedEmbeddingsResponse {
  if (!isRecord(body) || !Array.isArray(body.data)) {
    throw new UpstreamFailure('ServerError', 200, `${provider} returned a malformed embeddings response: no data array`);
  }
  const rows = body.data.map((item, position) => {
    if (!isRecord(item)) throw new UpstreamFailure('ServerError', 200, `${provider} returned a malformed embedding at data[${position}]`);
    const embedding = item.embedding;
    let vector: number[];
    if (typeof embedding === 'string') vector = decodeFloat32Base64(embedding);
    else if (Array.isArray(embedding) && embedding.every((v) => typeof v === 'number')) vector = embedding as number[];
    else throw new UpstreamFailure('ServerError', 200, `${provider} returned a malformed embedding at data[${position}]`);
    return { index: optionalNumber(item.index) ?? position, vector };
  });
  rows.sort((a, b) => a.index - b.index);
  const usage = isRecord(body.usage) ? body.usage : {};
  return {
    model: optionalString(body.model) ?? '',
    embeddings: rows.map((row) => row.vector),
    usage: { inputTokens: optionalNumber(usage.prompt_tokens) ?? 0 },
  };
}
