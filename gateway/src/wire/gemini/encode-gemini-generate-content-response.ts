// Unified response -> Gemini GenerateContentResponse JSON, for the Gemini front door.

import type { UnifiedChatResponse } from '../../unified/chat-response.js';
import { convertOutputToGeminiParts } from './convert-output-to-gemini-parts.js';
import { geminiResponseId } from './gemini-response-id.js';
import { usageToGemini } from './gemini-usage.js';
import type { GeminiCandidate, GeminiGenerateContentResponse } from './gemini-wire-types.js';
import { toGeminiFinishReason } from './map-gemini-finish-reason.js';

/** `requestedModel` is the public model name the caller used; it is reported as modelVersion. */
export function encodeGeminiGenerateContentResponse(response: UnifiedChatResponse, requestedModel: string): GeminiGenerateContentResponse {
  const parts = convertOutputToGeminiParts(response.content);
  const candidate: GeminiCandidate = { finishReason: toGeminiFinishReason(response.finishReason), index: 0 };
  // A filtered answer has no content, as Gemini sends it.
  if (parts.length > 0) candidate.content = { role: 'model', parts };
  return {
    candidates: [candidate],
    usageMetadata: usageToGemini(response.usage),
    modelVersion: requestedModel,
    responseId: geminiResponseId(response.id),
  };
}
