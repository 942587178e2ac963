// Gemini `finishReason` <-> unified FinishReason. Gemini reports STOP after function calls, so
// whether the candidate called a tool decides between `stop` and `tool_calls`.

import type { FinishReason } from '../../unified/chat-response.js';

const CONTENT_FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

// The model produced a function call Gemini could not accept (bad JSON, unknown or too many tools).
const TOOL_CALL_ERROR_REASONS = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

export function mapGeminiFinishReason(finishReason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (finishReason === 'STOP') return hasToolCalls ? 'tool_calls' : 'stop';
  if (finishReason === 'MAX_TOKENS' || finishReason === 'CONTINUATION') return 'length';
  if (finishReason !== undefined && CONTENT_FILTER_REASONS.has(finishReason)) return 'content_filter';
  if (finishReason !== undefined && TOOL_CALL_ERROR_REASONS.has(finishReason)) return 'error';
  // LANGUAGE, OTHER, NO_IMAGE, IMAGE_OTHER, FINISH_REASON_UNSPECIFIED and reasons added later.
  return 'other';
}

/** A `promptFeedback.blockReason` (the prompt itself was blocked, no candidates) is a content filter, not an error. */
export function finishReasonForBlockedPrompt(): FinishReason {
  return 'content_filter';
}

/** The reverse direction, for the Gemini front door. */
export function toGeminiFinishReason(finishReason: FinishReason): string {
  switch (finishReason) {
    case 'stop':
    case 'tool_calls':
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
    case 'refusal':
      return 'SAFETY';
    case 'error':
      return 'MALFORMED_FUNCTION_CALL';
    case 'other':
      return 'OTHER';
  }
}
