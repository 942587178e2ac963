// Wire shapes of OpenAI's Chat Completions and Embeddings APIs, as far as Switchyard reads or
// writes them. The front door decodes requests of this shape and encodes responses of it; the
// OpenAI-family provider adapters do the reverse. Fields from OpenAI-compatible providers that
// are not in OpenAI's spec (DeepSeek `reasoning_content`, Groq `x_groq`) are marked as such.

export interface OpenAITextContentPart {
  type: 'text';
  text: string;
  prompt_cache_breakpoint?: { mode: 'explicit' };
}

interface OpenAIImageContentPart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
  prompt_cache_breakpoint?: { mode: 'explicit' };
}

interface OpenAIFileContentPart {
  type: 'file';
  file: { filename?: string; file_data?: string; file_id?: string };
  prompt_cache_breakpoint?: { mode: 'explicit' };
}

export type OpenAIUserContentPart = OpenAITextContentPart | OpenAIImageContentPart | OpenAIFileContentPart;

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIRequestMessage =
  | { role: 'system' | 'developer'; content: string | OpenAITextContentPart[]; name?: string }
  | { role: 'user'; content: string | OpenAIUserContentPart[]; name?: string }
  | {
      role: 'assistant';
      content: string | OpenAITextContentPart[] | null;
      name?: string;
      tool_calls?: OpenAIToolCall[];
      /** DeepSeek: the reasoning of an earlier turn, sent back within a tool-call loop. */
      reasoning_content?: string;
    }
  | { role: 'tool'; content: string | OpenAITextContentPart[]; tool_call_id: string };

interface OpenAIFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

/** `any` is Mistral's word for `required`; OpenAI itself never receives it. */
export type OpenAIToolChoice = 'auto' | 'none' | 'required' | 'any' | { type: 'function'; function: { name: string } };

export type OpenAIResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string } };

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIRequestMessage[];
  tools?: OpenAIFunctionTool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: OpenAIResponseFormat;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  /** Not OpenAI: accepted by several open-model hosts (Together, Fireworks, vLLM, OpenRouter). */
  top_k?: number;
  stop?: string[];
  seed?: number;
  /** Mistral's name for `seed`. */
  random_seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  user?: string;
  /** Names the conversation for OpenAI's prompt-cache routing. */
  prompt_cache_key?: string;
  /** How long OpenAI may keep the cached prefix (OpenAI and Azure OpenAI). */
  prompt_cache_retention?: 'in_memory' | '24h';
  reasoning_effort?: string;
  /** OpenRouter's reasoning control. */
  reasoning?: { effort: string };
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface OpenAICompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number; audio_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number };
}

export interface OpenAIResponseMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  tool_calls?: OpenAIToolCall[];
  annotations?: unknown[];
  /** Not OpenAI: the model's reasoning, in the field DeepSeek and vLLM use. */
  reasoning_content?: string;
}

export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: OpenAIResponseMessage; logprobs: null; finish_reason: OpenAIFinishReason }>;
  usage?: OpenAICompletionUsage;
}

interface OpenAIToolCallChunk {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  tool_calls?: OpenAIToolCallChunk[];
  /** Not OpenAI: streamed reasoning (DeepSeek, vLLM). */
  reasoning_content?: string;
}

export interface OpenAIChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{ index: number; delta: OpenAIChunkDelta; logprobs?: null; finish_reason: OpenAIFinishReason | null }>;
  usage?: OpenAICompletionUsage | null;
}

/** OpenAI's error body: `{"error": {"message", "type", "code", "param"}}`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

export interface OpenAIEmbeddingsRequest {
  model: string;
  input: string[];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
}

export interface OpenAIEmbeddingsResponse {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
