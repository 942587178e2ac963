// POST /v1/embeddings: request -> UnifiedEmbeddingsRequest and UnifiedEmbeddingsResponse -> the
// `list` object. Token-array inputs are refused: token ids are specific to OpenAI's tokenizers and
// mean nothing to other providers.

import { invalidRequest } from '../../errors/gateway-error.js';
import { encodeFloat32Base64 } from './float32-base64.js';
import type { OpenAIEmbeddingsResponse } from './openai-chat-types.js';
import type { UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { UnifiedEmbeddingsResponse } from '../../unified/chat-response.js';
import { optionalNumber, optionalString, requireNonEmptyString, requireOneOf, requireRecord } from '../request-fields/index.js';

export function decodeOpenAIEmbeddingsRequest(body: unknown, pathModel?: string): UnifiedEmbeddingsRequest {
  const b = requireRecord(body, 'body');
  const model = b.model === undefined || b.model === null ? pathModel : requireNonEmptyString(b.model, 'model');
  if (model === undefined) throw invalidRequest("Missing required parameter: 'model'", 'model');
  const request: UnifiedEmbeddingsRequest = { model, input: decodeInput(b.input) };
  if (b.encoding_format !== undefined && b.encoding_format !== null) {
    request.encodingFormat = requireOneOf(b.encoding_format, ['float', 'base64'] as const, 'encoding_format');
  }
  const dimensions = optionalNumber(b.dimensions, 'dimensions', { integer: true, min: 1 });
  if (dimensions !== undefined) request.dimensions = dimensions;
  const user = optionalString(b.user, 'user');
  if (user !== undefined) request.user = user;
  return request;
}

function decodeInput(value: unknown): string[] {
  const tokenArrays = "'input' must be a string or an array of strings; token arrays are not supported";
  if (value === undefined || value === null) throw invalidRequest("Missing required parameter: 'input'", 'input');
  if (typeof value === 'string') {
    if (value === '') throw invalidRequest("'input' must not be an empty string", 'input');
    return [value];
  }
  if (!Array.isArray(value)) throw invalidRequest(tokenArrays, 'input');
  if (value.length === 0) throw invalidRequest("'input' must not be an empty array", 'input');
  return value.map((item, i) => {
    if (typeof item !== 'string') throw invalidRequest(tokenArrays, 'input');
    if (item === '') throw invalidRequest(`'input[${i}]' must not be an empty string`, `input[${i}]`);
    return item;
  });
}

export function encodeOpenAIEmbeddingsResponse(
  response: UnifiedEmbeddingsResponse,
  requestedModel: string,
  encodingFormat: 'float' | 'base64' | undefined,
): OpenAIEmbeddingsResponse {
  return {
    object: 'list',
    data: response.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encodingFormat === 'base64' ? encodeFloat32Base64(vector) : vector,
    })),
    model: requestedModel,
    usage: { prompt_tokens: response.usage.inputTokens, total_tokens: response.usage.inputTokens },
  };
}
