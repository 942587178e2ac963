import type { Usage } from '@switchyard/compiler';
import type { ReasoningPart, TextPart, ToolCallPart } from './chat-request.js';

export type { Usage };

/**
 * Why generation ended. `stop` with a `stopSequence` means a stop sequence matched
 * (Anthropic `stop_sequence`); `refusal` is a model-level refusal (Anthropic), which
 * OpenAI-shaped front doors report as `content_filter`.
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'refusal' | 'error' | 'other';

export type OutputPart = TextPart | ToolCallPart | ReasoningPart;

export interface UnifiedChatResponse {
  /** Upstream response id where the provider gave one. */
  id: string;
  /** Provider-side model id that answered. */
  model: string;
  /** Unix seconds. */
  created: number;
  content: OutputPart[];
  finishReason: FinishReason;
  stopSequence?: string;
  usage: Usage;
}

export interface UnifiedEmbeddingsResponse {
  model: string;
  embeddings: number[][];
  usage: { inputTokens: number };
}
