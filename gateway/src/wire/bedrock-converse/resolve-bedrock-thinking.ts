// Extended thinking for Claude models on Bedrock: Converse has no reasoning setting of its own,
// so Anthropic's `thinking` goes through additionalModelRequestFields, under Anthropic's rules
// (resolveThinkingBudget in wire/anthropic-messages), for the models that are Claude.

/** Claude models, including cross-region inference profiles (`us.anthropic.claude-...`) and ARNs. */
export function isAnthropicModel(modelId: string): boolean {
  return /(^|[.:/])anthropic\.claude/.test(modelId);
}
