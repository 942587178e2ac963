// The built-in capability catalog as data: what each listed model can serve, one table per
// provider, keyed exactly like the price tables (price-catalog-data.ts), each with the pages it was
// read from and when. Lookups normalize model ids in catalog-model-ids.ts; this file holds nothing
// but facts.
//
// Every field is optional and an absent field means "unknown", which never filters a request. A
// value is here only when a source page states it, and the fields are written so that a mistake
// errs towards serving:
// - `contextWindow` and `maxOutputTokens` take the larger figure when sources disagree or a beta
//   header raises the limit (Anthropic's 1M-context and 128K-output betas): a window that is too
//   large costs an upstream 400, one that is too small refuses requests the model could serve.
// - A `false` is written only where the provider states the model lacks the feature (o3-mini has
//   no vision, Gemini 2.0 Flash-Lite no thinking, models without reasoning options). Where the
//   gateway can make up for a missing feature (it answers JSON-schema requests to Claude and
//   Bedrock through a forced tool), the field is left out rather than set false.
// - Embedding models carry no `contextWindow`: their limit is per input, while the gateway's
//   estimate covers a whole batch of inputs.
// - `-latest` aliases and model ids whose limits changed between versions behind the same name
//   (DeepSeek, Mistral) are not listed: a stale window would refuse what the current model takes.
//
// Field meanings follow BackendCapabilitiesSpec: contextWindow = most prompt tokens, maxOutputTokens
// = most output one answer may ask for, tools = function calling, vision = image input, jsonSchema =
// schema-constrained output (structured outputs), reasoning = accepts reasoning options
// (reasoning_effort, thinking budgets or levels).
//
// Refresh: re-read each `sources` page, update values and `asOf`; keep models while providers serve
// them. A backend's own `capabilities` override any field here.

export interface CatalogCapabilities {
  contextWindow?: number;
  maxOutputTokens?: number;
  tools?: boolean;
  vision?: boolean;
  jsonSchema?: boolean;
  reasoning?: boolean;
}

export interface ProviderCapabilityTable {
  /** The provider's own model pages the values were read from. */
  sources: readonly string[];
  /** When the values were last checked against the sources (YYYY-MM-DD). */
  asOf: string;
  models: Readonly<Record<string, CatalogCapabilities>>;
}

export const CAPABILITY_CATALOG_AS_OF = '2026-12-07';

/** A model that takes images, tools, structured outputs and reasoning options, with these limits. */
const full = (contextWindow: number, maxOutputTokens: number): CatalogCapabilities => ({
  contextWindow,
  maxOutputTokens,
  tools: true,
  vision: true,
  jsonSchema: true,
  reasoning: true,
});

/** OpenAI models; Azure OpenAI deployments of the same model have the same limits. */
export const OPENAI_CAPABILITIES: ProviderCapabilityTable = {
  sources: [
    'https://developers.openai.com/api/docs/models',
    'https://developers.openai.com/api/docs/models/gpt-5.4-nano',
    'https://developers.openai.com/api/docs/models/gpt-oss-120b',
  ],
  asOf: '2026-12-07',
  models: {
    // The 1M GPT-5.5 and 5.4 windows; GPT-5.5's output limit is given as 128K and as 272K, the larger kept.
    'gpt-5.5': full(1_050_000, 272_000),
    'gpt-5.4': full(1_050_000, 128_000),
    'gpt-5.4-mini': full(400_000, 128_000),
    'gpt-5.4-nano': full(400_000, 128_000),
    'gpt-5.2': full(400_000, 128_000),
    'gpt-5.1': full(400_000, 128_000),
    'gpt-5': full(400_000, 128_000),
    'gpt-5-mini': full(400_000, 128_000),
    'gpt-5-nano': full(400_000, 128_000),
    // Non-reasoning models: OpenAI refuses reasoning_effort for them.
    'gpt-4.1': { ...full(1_047_576, 32_768), reasoning: false },
    'gpt-4.1-mini': { ...full(1_047_576, 32_768), reasoning: false },
    'gpt-4.1-nano': { ...full(1_047_576, 32_768), reasoning: false },
    'gpt-4o': { ...full(128_000, 16_384), reasoning: false },
    'gpt-4o-mini': { ...full(128_000, 16_384), reasoning: false },
    o1: full(200_000, 100_000),
    o3: full(200_000, 100_000),
    // o3-mini takes text only.
    'o3-mini': { ...full(200_000, 100_000), vision: false },
    'o4-mini': full(200_000, 100_000),
    // Open-weight models as OpenAI documents them: text in, text out.
    'gpt-oss-120b': { ...full(131_072, 131_072), vision: false },
    'gpt-oss-20b': { ...full(131_072, 131_072), vision: false },
  },
};

/**
 * Claude models, by family id (dated snapshots, `@date` Vertex ids and Bedrock ids fold to it);
 * Bedrock and Vertex AI serve them with the same limits.
 */
export const ANTHROPIC_CAPABILITIES: ProviderCapabilityTable = {
  sources: [
    'https://platform.claude.com/docs/en/about-claude/models/overview',
    'https://platform.claude.com/docs/en/models/fable-5/overview',
    'https://platform.claude.com/docs/en/models/opus-4-6/overview',
    'https://platform.claude.com/docs/en/models/sonnet-4-5/overview',
    'https://platform.claude.com/docs/en/models/haiku-5-5/overview',
    'https://platform.claude.com/docs/en/build-with-claude/context-windows',
  ],
  asOf: '2026-12-07',
  models: {
    'claude-fable-5-1': full(1_000_000, 128_000),
    // Mythos 5 shares Fable 5's specifications.
    'claude-fable-5': full(1_000_000, 128_000),
    'claude-mythos-5': full(1_000_000, 128_000),
    'claude-opus-5-5': full(1_000_000, 128_000),
    'claude-opus-5': full(1_000_000, 128_000),
    'claude-opus-4-8': full(1_000_000, 128_000),
    'claude-opus-4-7': full(1_000_000, 128_000),
    'claude-opus-4-6': full(1_000_000, 128_000),
    'claude-opus-4-5': full(200_000, 64_000),
    'claude-opus-4-1': full(200_000, 32_000),
    // Structured outputs arrived with Opus 4.1 and Sonnet 4.5; older models leave jsonSchema unknown.
    'claude-opus-4': { contextWindow: 200_000, maxOutputTokens: 32_000, tools: true, vision: true, reasoning: true },
    'claude-opus-4-0': { contextWindow: 200_000, maxOutputTokens: 32_000, tools: true, vision: true, reasoning: true },
    'claude-sonnet-5-5': full(1_000_000, 128_000),
    'claude-sonnet-5': full(1_000_000, 128_000),
    'claude-sonnet-4-6': full(1_000_000, 128_000),
    // 200K standard, 1M with the context-1m beta: the larger kept.
    'claude-sonnet-4-5': full(1_000_000, 64_000),
    'claude-sonnet-4': { contextWindow: 1_000_000, maxOutputTokens: 64_000, tools: true, vision: true, reasoning: true },
    'claude-sonnet-4-0': { contextWindow: 1_000_000, maxOutputTokens: 64_000, tools: true, vision: true, reasoning: true },
    // 64K standard, 128K with the output-128k beta: the larger kept.
    'claude-3-7-sonnet': { contextWindow: 200_000, maxOutputTokens: 128_000, tools: true, vision: true, reasoning: true },
    'claude-haiku-5-5': full(1_000_000, 128_000),
    'claude-haiku-4-5': full(200_000, 64_000),
    // No extended thinking before Claude 3.7.
    'claude-3-5-haiku': { contextWindow: 200_000, maxOutputTokens: 8_192, tools: true, reasoning: false },
    'claude-3-haiku': { contextWindow: 200_000, maxOutputTokens: 4_096, tools: true, vision: true, reasoning: false },
  },
};

/** Gemini Developer API models; Vertex AI lists the same limits for them. */
export const GEMINI_CAPABILITIES: ProviderCapabilityTable = {
  sources: [
    'https://ai.google.dev/gemini-api/docs/models',
    'https://ai.google.dev/gemini-api/docs/models/gemini-3-pro-preview',
    'https://ai.google.dev/gemini-api/docs/models/gemini-2.5-flash-lite',
    'https://ai.google.dev/gemini-api/docs/models/gemini-2.0-flash',
    'https://ai.google.dev/gemini-api/docs/models/gemini-2.0-flash-lite',
    'https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini/3-flash',
  ],
  asOf: '2026-12-07',
  models: {
    'gemini-3-pro-preview': full(1_048_576, 65_536),
    'gemini-3-flash-preview': full(1_048_576, 65_536),
    // Vertex AI gives 65,535 as the default output limit, the Gemini API 65,536: the larger kept.
    'gemini-2.5-pro': full(1_048_576, 65_536),
    'gemini-2.5-flash': full(1_048_576, 65_536),
    'gemini-2.5-flash-lite': full(1_048_576, 65_536),
    // Thinking is "experimental" on 2.0 Flash (left unknown) and not supported on 2.0 Flash-Lite.
    'gemini-2.0-flash': { contextWindow: 1_048_576, maxOutputTokens: 8_192, tools: true, vision: true, jsonSchema: true },
    'gemini-2.0-flash-lite': { ...full(1_048_576, 8_192), reasoning: false },
  },
};

/** Amazon's own and Meta's models on Bedrock (Claude on Bedrock uses ANTHROPIC_CAPABILITIES). */
export const BEDROCK_CAPABILITIES: ProviderCapabilityTable = {
  sources: [
    'https://docs.aws.amazon.com/nova/latest/userguide/what-is-nova.html',
    'https://docs.aws.amazon.com/bedrock/latest/userguide/conversation-inference-supported-models-features.html',
  ],
  asOf: '2026-12-07',
  models: {
    // Output limits are left out: the pages give 5K, 8K and 10K for the same models.
    'amazon.nova-premier-v1': { contextWindow: 1_000_000, tools: true, vision: true },
    'amazon.nova-pro-v1': { contextWindow: 300_000, tools: true, vision: true },
    'amazon.nova-lite-v1': { contextWindow: 300_000, tools: true, vision: true },
    // Nova Micro is the text-only Nova model.
    'amazon.nova-micro-v1': { contextWindow: 128_000, tools: true, vision: false },
    'meta.llama3-3-70b-instruct-v1': { contextWindow: 128_000, vision: false },
  },
};

export const XAI_CAPABILITIES: ProviderCapabilityTable = {
  sources: ['https://docs.x.ai/docs/models'],
  asOf: '2026-12-07',
  models: {
    'grok-4': { contextWindow: 256_000, tools: true, vision: true, jsonSchema: true },
    'grok-4-fast-reasoning': { contextWindow: 2_000_000, tools: true, vision: true },
    'grok-4-fast-non-reasoning': { contextWindow: 2_000_000, tools: true, vision: true },
    // Given as 256K and as 262,144: the larger kept.
    'grok-code-fast-1': { contextWindow: 262_144, tools: true },
    'grok-3': { contextWindow: 131_072, tools: true },
    'grok-3-mini': { contextWindow: 131_072, tools: true, reasoning: true },
  },
};
