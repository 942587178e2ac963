// Anthropic's extended-thinking budget rules, which hold wherever Claude runs (the Anthropic API,
// Vertex AI, Bedrock's additionalModelRequestFields).
import { invalidRequest } from '../../errors/gateway-error.js';
import type { ReasoningOptions, UnifiedChatRequest } from '../../unified/chat-request.js';

/** Anthropic refuses a thinking budget below this. */
export const MIN_THINKING_BUDGET_TOKENS = 1024;

/**
 * Thinking budgets for an `effort` without an explicit budget. `minimal` means no extended
 * thinking: Anthropic's smallest budget (1024) is already more than "minimal".
 */
const THINKING_BUDGET_BY_EFFORT: Record<NonNullable<ReasoningOptions['effort']>, number | undefined> = {
  minimal: undefined,
  low: 2048,
  medium: 8192,
  high: 24576,
};

/** The thinking budget to request, or undefined for none. Throws a 400 for budgets Anthropic refuses. */
export function resolveThinkingBudget(request: UnifiedChatRequest): number | undefined {
  const reasoning = request.reasoning;
  if (!reasoning) return undefined;
  const maxTokens = request.maxOutputTokens;
  if (reasoning.budgetTokens !== undefined) {
    const budget = reasoning.budgetTokens;
    if (budget === 0) return undefined;
    if (budget < MIN_THINKING_BUDGET_TOKENS) {
      throw invalidRequest(
        `reasoning budget ${budget} is below Anthropic's minimum thinking budget of ${MIN_THINKING_BUDGET_TOKENS} tokens`,
        'reasoning',
      );
    }
    if (maxTokens !== undefined && budget >= maxTokens) {
      throw invalidRequest(
        `reasoning budget ${budget} must be less than the max output tokens ${maxTokens} (Anthropic counts thinking in max_tokens)`,
        'reasoning',
      );
    }
    return budget;
  }
  const effortBudget = reasoning.effort === undefined ? undefined : THINKING_BUDGET_BY_EFFORT[reasoning.effort];
  if (effortBudget === undefined || maxTokens === undefined) return effortBudget;
  // The caller capped total output: thinking gets what the cap leaves, if that is enough.
  const budget = Math.min(effortBudget, maxTokens - 1);
  if (budget < MIN_THINKING_BUDGET_TOKENS) {
    throw invalidRequest(
      `max output tokens ${maxTokens} leave no room for Anthropic's minimum thinking budget of ${MIN_THINKING_BUDGET_TOKENS} tokens; raise it or drop reasoning effort`,
      'reasoning',
    );
  }
  return budget;
}
