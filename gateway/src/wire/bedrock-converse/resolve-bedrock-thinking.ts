// Extended thinking for Claude models on Bedrock: Converse has no reasoning setting of its own,
// so Anthropic's `thinking` goes through additionalModelRequestFields, under Anthropic's rules
// (the same as the anthropic provider's): a budget of at least 1024 tokens, below max_tokens,
// which counts thinking.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { UnifiedChatRequest } from '../../unified/chat-request.js';
import { MIN_THINKING_BUDGET_TOKENS, THINKING_BUDGET_BY_EFFORT } from '../anthropic-messages/index.js';

/** Claude models, including cross-region inference profiles (`us.anthropic.claude-...`) and ARNs. */
export function isAnthropicModel(modelId: string): boolean {
  return /(^|[.:/])anthropic\.claude/.test(modelId);
}

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
