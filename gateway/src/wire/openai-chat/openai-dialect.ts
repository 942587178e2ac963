// What an OpenAI-format upstream accepts. OpenAI itself, Azure OpenAI and every
// OpenAI-compatible provider speak the same wire format but differ in a handful of parameters;
// each difference is one field here, and the per-provider values live in one table
// (providers/openai-compatible/openai-compatible-presets.ts), documented in docs/providers/openai.md.

export interface OpenAIDialect {
  /** Where the output cap goes; OpenAI's reasoning models reject `max_tokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /**
   * Whether streams ask for usage with `stream_options: {include_usage: true}`. Providers that
   * reject the field (and send usage in their last chunk regardless) set this to false.
   */
  streamOptions: boolean;
  /** How `seed` is sent: as `seed`, under Mistral's name `random_seed`, or dropped. */
  seed: 'seed' | 'random_seed' | 'drop';
  /** Whether `parallel_tool_calls` is sent (only ever with tools: OpenAI rejects it without). */
  parallelToolCalls: boolean;
  /**
   * `native` sends `response_format: json_schema`; `json_object_with_instruction` sends
   * `json_object` and states the schema in a system message, for providers with JSON mode only.
   */
  jsonSchema: 'native' | 'json_object_with_instruction';
  /** How reasoning effort is sent: `reasoning_effort`, OpenRouter's `reasoning: {effort}`, or dropped. */
  reasoningEffort: 'reasoning_effort' | 'openrouter' | 'drop';
  /** Effort levels the provider accepts; others map to the nearest accepted one. */
  reasoningEfforts: ReadonlyArray<'minimal' | 'low' | 'medium' | 'high'>;
  /** Whether `top_k` is sent (not OpenAI; several open-model hosts accept it). */
  topK: boolean;
  /** Whether the end-user id (`user`) is sent. */
  user: boolean;
  /** Whether `name` on messages is sent. */
  messageNames: boolean;
  /** The tool_choice value meaning "must call some tool" (Mistral documents `any`). */
  requiredToolChoice: 'required' | 'any';
  /** Whether `file` content parts (PDF input) are accepted. */
  fileParts: boolean;
  /** Whether OpenAI's explicit `prompt_cache_breakpoint` on content parts is sent. */
  promptCacheBreakpoints: boolean;
  /**
   * Whether the caller's `prompt_cache_key` (it steers OpenAI's own cache routing) and
   * `prompt_cache_retention` are forwarded.
   */
  promptCacheKey: boolean;
  /**
   * Whether assistant reasoning from earlier turns is sent back as `reasoning_content`
   * (DeepSeek's thinking mode rejects tool-call histories without it).
   */
  reasoningInHistory: boolean;
  /** Tool-call ids the provider accepts: any string, or Mistral's nine alphanumerics. */
  toolCallIds: 'any' | 'nine-alphanumeric';
}

/** OpenAI's own API: everything the Chat Completions spec defines. */
export const OPENAI_DIALECT: OpenAIDialect = {
  maxTokensField: 'max_completion_tokens',
  streamOptions: true,
  seed: 'seed',
  parallelToolCalls: true,
  jsonSchema: 'native',
  reasoningEffort: 'reasoning_effort',
  reasoningEfforts: ['minimal', 'low', 'medium', 'high'],
  topK: false,
  user: true,
  messageNames: true,
  requiredToolChoice: 'required',
  fileParts: true,
  promptCacheBreakpoints: true,
  promptCacheKey: true,
  reasoningInHistory: false,
  toolCallIds: 'any',
};
