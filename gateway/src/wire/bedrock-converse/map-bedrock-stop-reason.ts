import type { FinishReason } from '../../unified/chat-response.js';

export interface MappedStopReason {
  finishReason: FinishReason;
  stopSequence?: string;
}

const FINISH_REASON_BY_STOP_REASON: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  // The prompt plus the answer hit the context window: the answer was cut short, as with max_tokens.
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
  malformed_model_output: 'error',
  malformed_tool_use: 'error',
};

/**
 * Converse `stopReason` -> unified finish reason. Which stop sequence matched is not part of
 * Converse itself; Anthropic models report it in `additionalModelResponseFields.stop_sequence`.
 */
export function mapBedrockStopReason(stopReason: unknown, additionalModelResponseFields?: unknown): MappedStopReason {
  const finishReason = typeof stopReason === 'string' ? (FINISH_REASON_BY_STOP_REASON[stopReason] ?? 'other') : 'other';
  const mapped: MappedStopReason = { finishReason };
  if (stopReason === 'stop_sequence' && typeof additionalModelResponseFields === 'object' && additionalModelResponseFields !== null) {
    const fields = additionalModelResponseFields as Record<string, unknown>;
    const sequence = fields['stop_sequence'];
    if (typeof sequence === 'string') mapped.stopSequence = sequence;
  }
  return mapped;
}
