// POST /v1/moderations in OpenAI's wire format, both sides: the caller's request and answer, and
// the upstream's (OpenAI and OpenAI-compatible servers). Text inputs only: image parts (the
// multimodal input of omni-moderation) are refused, since guardrails and routing read text.

import type { ProviderName } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import { invalidRequest } from '../../errors/gateway-error.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import type { ModerationResult, UnifiedModerationsRequest, UnifiedModerationsResponse } from '../../unified/moderations.js';
import { requireNonEmptyString, requireRecord } from '../request-fields/index.js';

export function decodeOpenAIModerationsRequest(body: unknown): UnifiedModerationsRequest {
  const b = requireRecord(body, 'body');
  // OpenAI defaults the model; a gateway route has no default, so the caller must name one.
  if (b.model === undefined || b.model === null) throw invalidRequest("Missing required parameter: 'model'", 'model');
  const model = requireNonEmptyString(b.model, 'model');
  const input = b.input;
  if (input === undefined || input === null) throw invalidRequest("Missing required parameter: 'input'", 'input');
  if (typeof input === 'string') return { model, input: [input], single: true };
  const onlyText = "'input' must be a string or an array of strings (or of {type: 'text'} parts); images are not supported";
  if (!Array.isArray(input) || input.length === 0) throw invalidRequest(onlyText, 'input');
  const texts = input.map((item, i) => {
    if (typeof item === 'string') return item;
    if (isRecord(item) && item.type === 'text' && typeof item.text === 'string') return item.text;
    throw invalidRequest(onlyText, `input[${i}]`);
  });
  return { model, input: texts, single: false };
}

export function encodeOpenAIModerationsResponse(response: UnifiedModerationsResponse, requestedModel: string): string {
  return JSON.stringify({ id: response.id, model: requestedModel, results: response.results });
}

export function convertToOpenAIModerationsRequest(request: UnifiedModerationsRequest, upstreamModel: string): Record<string, unknown> {
  return { model: upstreamModel, input: request.single ? request.input[0] : request.input };
}

function malformed(provider: ProviderName, what: string): UpstreamFailure {
  return new UpstreamFailure('ServerError', 200, `${provider} returned a malformed moderations response: ${what}`);
}

export function decodeOpenAIModerationsResponse(body: unknown, provider: ProviderName): UnifiedModerationsResponse {
  if (!isRecord(body) || !Array.isArray(body.results)) throw malformed(provider, 'no results array');
  const results = body.results.map((item, i): ModerationResult => {
    if (!isRecord(item) || typeof item.flagged !== 'boolean') throw malformed(provider, `results[${i}] has no boolean flagged`);
    const result: ModerationResult = {
      flagged: item.flagged,
      categories: isRecord(item.categories) ? (item.categories as Record<string, boolean>) : {},
      category_scores: isRecord(item.category_scores) ? (item.category_scores as Record<string, number>) : {},
    };
    if (isRecord(item.category_applied_input_types))
      result.category_applied_input_types = item.category_applied_input_types as Record<string, string[]>;
    return result;
  });
  return { id: typeof body.id === 'string' ? body.id : '', model: typeof body.model === 'string' ? body.model : '', results };
}
