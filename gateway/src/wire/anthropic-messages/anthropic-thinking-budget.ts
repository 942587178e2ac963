// Anthropic's extended-thinking budget rules, which hold wherever Claude runs (the Anthropic API,
// Vertex AI, Bedrock's additionalModelRequestFields).
import type { ReasoningOptions } from '../../unified/chat-request.js';

/** Anthropic refuses a thinking budget below this. */
export const MIN_THINKING_BUDGET_TOKENS = 1024;

/**
 * Thinking budgets for an `effort` without an explicit budget. `minimal` means no extended
 * thinking: Anthropic's smallest budget (1024) is already more than "minimal".
 */
export const THINKING_BUDGET_BY_EFFORT: Record<NonNullable<ReasoningOptions['effort']>, number | undefined> = {
  minimal: undefined,
  low: 2048,
  medium: 8192,
  high: 24576,
};
