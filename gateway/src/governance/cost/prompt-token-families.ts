// Which tokenizer counts a backend's prompt, for Budget `reservation: Tokenized`
// (docs/governance.md, "Reservations"). OpenAI publishes its encodings and gpt-tokenizer
// implements them in plain JavaScript, so OpenAI-family models are counted exactly. No other
// family has a maintained npm tokenizer for its current models (Anthropic's package predates
// Claude 3 and does not match it; Gemini, Llama, Mistral and DeepSeek publish none for
// JavaScript), so those are counted by a ratio calibrated on recorded provider answers
// (gateway/test/governance/tokenized-count-accuracy.test.ts) with a safety margin.
import type { ProviderName } from '@switchyard/compiler';

export type TokenFamily = 'o200k_base' | 'cl100k_base' | 'anthropic' | 'gemini' | 'other';

/** Models on OpenAI's newer encoding: GPT-4o, 4.1, 4.5, 5.x, the o-series, gpt-oss, codex. */
const O200K_MODEL = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4|codex|computer-use|omni-moderation)\b/;
/** Older OpenAI models and the embedding models, on cl100k_base. */
const CL100K_MODEL = /^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)\b/;

/** The model id without a vendor prefix (`openai/gpt-4o` on OpenRouter, `us.anthropic.claude-...` on Bedrock). */
function bareModel(model: string): string {
  const slash = model.lastIndexOf('/');
  return (slash >= 0 ? model.slice(slash + 1) : model).toLowerCase();
}

export function tokenFamilyOf(provider: ProviderName, model: string): TokenFamily {
  const bare = bareModel(model);
  // By model name first: OpenAI models reached through Azure, OpenRouter, Groq or Together use OpenAI's encodings.
  if (O200K_MODEL.test(bare)) return 'o200k_base';
  if (CL100K_MODEL.test(bare)) return 'cl100k_base';
  const lower = model.toLowerCase();
  if (provider === 'anthropic' || lower.includes('claude')) return 'anthropic';
  if (provider === 'gemini' || lower.includes('gemini') || lower.includes('gemma')) return 'gemini';
  return 'other';
}
