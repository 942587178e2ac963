// The built-in price catalog as data: USD per million tokens, decimal strings (the same syntax as
// a backend's `pricing`), standard (on-demand, non-batch) tier, one table per provider, each
// with the page it was read from and when. Lookups normalize model ids (dated snapshots,
// regional prefixes) in price-catalog.ts; this file holds nothing but prices.
//
// Conventions, so that the catalog never under-charges:
// - `cachedInput` absent means cache reads cost the full input price; `cacheWrite` absent means
//   cache writes cost the full input price (the CRD defaults for `pricing`).
// - Prompt-length tiers (Gemini > 200k, Anthropic long context, Haiku 5.5 > 100k) are priced at
//   the base tier. Backends that routinely send long prompts should set `pricing` with the higher
//   tier. `cacheWrite` is Anthropic's 5-minute write price (1.25x input); 1-hour writes are priced
//   at 2x input for every Claude backend by the compiler (compile-backend.ts), not listed here.
// - Reasoning tokens are output tokens at the output price for every provider listed.
// - Self-hosted providers (`ollama`, `vllm`) and `openai-compatible` have no list price: they
//   report PriceUnknown until a backend sets `pricing` (for a free local model: "0").
// - A negotiated price, a regional surcharge (Bedrock/Vertex regional endpoints, Azure data
//   zones, Anthropic `inference_geo`) or a model not listed here is set per backend with `pricing`.
//
// Provenance: the OpenAI and Anthropic tables were checked on `asOf` against copies of
// the official pricing and model pages; the other tables carry the providers' published list
// prices as last known and should be re-read against `source` before they are relied on for
// billing. Refresh: re-read each source page and update `asOf`; keep old models while providers
// serve them.

export interface CatalogEntry {
  input: string;
  output: string;
  cachedInput?: string;
  cacheWrite?: string;
}

export interface ProviderPriceTable {
  /** The provider's own pricing page. */
  source: string;
  /** When the prices were last checked against the source (YYYY-MM-DD). */
  asOf: string;
  models: Readonly<Record<string, CatalogEntry>>;
}

export const PRICE_CATALOG_AS_OF = '2026-11-25';

const e = (input: string, output: string, cachedInput?: string, cacheWrite?: string): CatalogEntry => ({
  input,
  output,
  ...(cachedInput === undefined ? {} : { cachedInput }),
  ...(cacheWrite === undefined ? {} : { cacheWrite }),
});

/** OpenAI list prices; Azure OpenAI global deployments bill the same per-token prices. */
export const OPENAI_PRICES: ProviderPriceTable = {
  source: 'https://developers.openai.com/api/docs/pricing',
  asOf: '2026-11-25',
  models: {
    'gpt-5.5': e('5.00', '30.00', '0.50'),
    'gpt-5.4': e('2.50', '15.00', '0.25'),
    'gpt-5.4-mini': e('0.75', '4.50', '0.075'),
    'gpt-5.4-nano': e('0.20', '1.25', '0.02'),
    'gpt-5.2': e('1.75', '14.00', '0.175'),
    'gpt-5.1': e('1.25', '10.00', '0.125'),
    'gpt-5': e('1.25', '10.00', '0.125'),
    'gpt-5-mini': e('0.25', '2.00', '0.025'),
    'gpt-5-nano': e('0.05', '0.40', '0.005'),
    'gpt-4.1': e('2.00', '8.00', '0.50'),
    'gpt-4.1-mini': e('0.40', '1.60', '0.10'),
    'gpt-4.1-nano': e('0.10', '0.40', '0.025'),
    'gpt-4o': e('2.50', '10.00', '1.25'),
    'gpt-4o-mini': e('0.15', '0.60', '0.075'),
    o1: e('15.00', '60.00', '7.50'),
    o3: e('2.00', '8.00', '0.50'),
    'o3-mini': e('1.10', '4.40', '0.55'),
    'o4-mini': e('1.10', '4.40', '0.275'),
    // Realtime models' text prices (their audio and image prices: realtime-price-data.ts).
    'gpt-realtime': e('4.00', '16.00', '0.40'),
    'gpt-realtime-1.5': e('4.00', '16.00', '0.40'),
    'gpt-realtime-2.1-mini': e('0.60', '2.40', '0.06'),
    'gpt-4o-realtime-preview': e('5.00', '20.00', '2.50'),
    'gpt-4o-mini-realtime-preview': e('0.60', '2.40', '0.30'),
    'gpt-oss-120b': e('0.15', '0.60'),
    'gpt-oss-20b': e('0.05', '0.20'),
    'text-embedding-3-small': e('0.02', '0'),
    'text-embedding-3-large': e('0.13', '0'),
    'text-embedding-ada-002': e('0.10', '0'),
  },
};

/** Claude API prices; Bedrock and Vertex AI global endpoints list the same per-token prices. */
export const ANTHROPIC_PRICES: ProviderPriceTable = {
  source: 'https://platform.claude.com/docs/en/about-claude/pricing',
  asOf: '2026-11-25',
  models: {
    'claude-fable-5-1': e('10.00', '50.00', '0.25', '12.50'),
    'claude-mythos-5-1': e('10.00', '50.00', '0.25', '12.50'),
    'claude-fable-5': e('10.00', '50.00', '1.00', '12.50'),
    'claude-mythos-5': e('10.00', '50.00', '1.00', '12.50'),
    'claude-opus-5-5': e('4.00', '20.00', '0.20', '5.00'),
    'claude-opus-5': e('5.00', '25.00', '0.50', '6.25'),
    'claude-opus-4-8': e('5.00', '25.00', '0.50', '6.25'),
    'claude-opus-4-7': e('5.00', '25.00', '0.50', '6.25'),
    'claude-opus-4-6': e('5.00', '25.00', '0.50', '6.25'),
    'claude-opus-4-5': e('5.00', '25.00', '0.50', '6.25'),
    'claude-opus-4-1': e('15.00', '75.00', '1.50', '18.75'),
    'claude-opus-4': e('15.00', '75.00', '1.50', '18.75'),
    'claude-opus-4-0': e('15.00', '75.00', '1.50', '18.75'),
    'claude-sonnet-5-5': e('2.00', '10.00', '0.10', '2.50'),
    'claude-sonnet-5': e('2.00', '10.00', '0.20', '2.50'),
    'claude-sonnet-4-6': e('3.00', '15.00', '0.30', '3.75'),
    'claude-sonnet-4-5': e('3.00', '15.00', '0.30', '3.75'),
    'claude-sonnet-4': e('3.00', '15.00', '0.30', '3.75'),
    'claude-sonnet-4-0': e('3.00', '15.00', '0.30', '3.75'),
    'claude-3-7-sonnet': e('3.00', '15.00', '0.30', '3.75'),
    'claude-haiku-5-5': e('0.10', '0.50', '0.01', '0.125'),
    'claude-haiku-4-5': e('1.00', '5.00', '0.10', '1.25'),
    'claude-3-5-haiku': e('0.80', '4.00', '0.08', '1.00'),
    'claude-3-haiku': e('0.25', '1.25', '0.03', '0.30'),
  },
};

/** Gemini Developer API paid tier; Vertex AI lists the same per-token prices for these models. */
export const GEMINI_PRICES: ProviderPriceTable = {
  source: 'https://ai.google.dev/gemini-api/docs/pricing',
  asOf: '2026-11-25',
  models: {
    'gemini-3-pro-preview': e('2.00', '12.00', '0.20'),
    'gemini-3-flash-preview': e('0.50', '3.00', '0.05'),
    'gemini-2.5-pro': e('1.25', '10.00', '0.125'),
    'gemini-2.5-flash': e('0.30', '2.50', '0.03'),
    'gemini-2.5-flash-lite': e('0.10', '0.40', '0.01'),
    'gemini-2.0-flash': e('0.10', '0.40', '0.025'),
    'gemini-2.0-flash-lite': e('0.075', '0.30'),
    'gemini-embedding-001': e('0.15', '0'),
    'text-embedding-004': e('0', '0'),
  },
};

/** Amazon's own models on Bedrock (Anthropic models on Bedrock use ANTHROPIC_PRICES). */
export const BEDROCK_PRICES: ProviderPriceTable = {
  source: 'https://aws.amazon.com/bedrock/pricing/',
  asOf: '2026-11-25',
  models: {
    'amazon.nova-premier-v1': e('2.50', '12.50', '0.625'),
    'amazon.nova-pro-v1': e('0.80', '3.20', '0.20'),
    'amazon.nova-lite-v1': e('0.06', '0.24', '0.015'),
    'amazon.nova-micro-v1': e('0.035', '0.14', '0.00875'),
    'meta.llama3-3-70b-instruct-v1': e('0.72', '0.72'),
    'amazon.titan-embed-text-v2': e('0.02', '0'),
  },
};

export const MISTRAL_PRICES: ProviderPriceTable = {
  source: 'https://mistral.ai/pricing#api-pricing',
  asOf: '2026-11-25',
  models: {
    'mistral-large-latest': e('2.00', '6.00'),
    'mistral-medium-latest': e('0.40', '2.00'),
    'mistral-small-latest': e('0.10', '0.30'),
    'magistral-medium-latest': e('2.00', '5.00'),
    'magistral-small-latest': e('0.50', '1.50'),
    'codestral-latest': e('0.30', '0.90'),
    'devstral-medium-latest': e('0.40', '2.00'),
    'devstral-small-latest': e('0.10', '0.30'),
    'ministral-8b-latest': e('0.10', '0.10'),
    'ministral-3b-latest': e('0.04', '0.04'),
    'open-mistral-nemo': e('0.15', '0.15'),
    'pixtral-large-latest': e('2.00', '6.00'),
    'mistral-embed': e('0.10', '0'),
  },
};

export const GROQ_PRICES: ProviderPriceTable = {
  source: 'https://groq.com/pricing',
  asOf: '2026-11-25',
  models: {
    'openai/gpt-oss-120b': e('0.15', '0.60', '0.075'),
    'openai/gpt-oss-20b': e('0.075', '0.30', '0.0375'),
    'llama-3.3-70b-versatile': e('0.59', '0.79'),
    'llama-3.1-8b-instant': e('0.05', '0.08'),
    'meta-llama/llama-4-maverick-17b-128e-instruct': e('0.20', '0.60'),
    'meta-llama/llama-4-scout-17b-16e-instruct': e('0.11', '0.34'),
    'moonshotai/kimi-k2-instruct-0905': e('1.00', '3.00', '0.50'),
    'qwen/qwen3-32b': e('0.29', '0.59'),
  },
};

/** DeepSeek bills cache hits at the cached price; `deepseek-chat` and `deepseek-reasoner` share one price. */
export const DEEPSEEK_PRICES: ProviderPriceTable = {
  source: 'https://api-docs.deepseek.com/quick_start/pricing',
  asOf: '2026-11-25',
  models: {
    'deepseek-chat': e('0.28', '0.42', '0.028'),
    'deepseek-reasoner': e('0.28', '0.42', '0.028'),
  },
};

export const XAI_PRICES: ProviderPriceTable = {
  source: 'https://docs.x.ai/docs/models',
  asOf: '2026-11-25',
  models: {
    'grok-4': e('3.00', '15.00', '0.75'),
    'grok-4-fast-reasoning': e('0.20', '0.50', '0.05'),
    'grok-4-fast-non-reasoning': e('0.20', '0.50', '0.05'),
    'grok-code-fast-1': e('0.20', '1.50', '0.02'),
    'grok-3': e('3.00', '15.00', '0.75'),
    'grok-3-mini': e('0.30', '0.50', '0.075'),
  },
};

export const TOGETHER_PRICES: ProviderPriceTable = {
  source: 'https://www.together.ai/pricing',
  asOf: '2026-11-25',
  models: {
    'openai/gpt-oss-120b': e('0.15', '0.60'),
    'openai/gpt-oss-20b': e('0.05', '0.20'),
    'meta-llama/Llama-3.3-70B-Instruct-Turbo': e('0.88', '0.88'),
    'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo': e('0.18', '0.18'),
    'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8': e('0.27', '0.85'),
    'deepseek-ai/DeepSeek-V3': e('1.25', '1.25'),
    'deepseek-ai/DeepSeek-R1': e('3.00', '7.00'),
    'Qwen/Qwen2.5-72B-Instruct-Turbo': e('1.20', '1.20'),
    'moonshotai/Kimi-K2-Instruct': e('1.00', '3.00'),
  },
};

export const FIREWORKS_PRICES: ProviderPriceTable = {
  source: 'https://fireworks.ai/pricing',
  asOf: '2026-11-25',
  models: {
    'accounts/fireworks/models/gpt-oss-120b': e('0.15', '0.60'),
    'accounts/fireworks/models/gpt-oss-20b': e('0.07', '0.30'),
    'accounts/fireworks/models/llama-v3p3-70b-instruct': e('0.90', '0.90'),
    'accounts/fireworks/models/llama-v3p1-8b-instruct': e('0.20', '0.20'),
    'accounts/fireworks/models/deepseek-v3': e('0.90', '0.90'),
    'accounts/fireworks/models/deepseek-r1': e('3.00', '8.00'),
    'accounts/fireworks/models/qwen3-235b-a22b': e('0.22', '0.88'),
    'accounts/fireworks/models/kimi-k2-instruct': e('0.60', '2.50'),
  },
};

export const COHERE_PRICES: ProviderPriceTable = {
  source: 'https://cohere.com/pricing',
  asOf: '2026-11-25',
  models: {
    'command-a-03-2025': e('2.50', '10.00'),
    'command-r-plus-08-2024': e('2.50', '10.00'),
    'command-r-08-2024': e('0.15', '0.60'),
    'command-r7b-12-2024': e('0.0375', '0.15'),
    'embed-v4.0': e('0.12', '0'),
    'embed-english-v3.0': e('0.10', '0'),
    'embed-multilingual-v3.0': e('0.10', '0'),
  },
};
