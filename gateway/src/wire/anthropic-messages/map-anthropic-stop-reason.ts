import type { FinishReason } from '../../unified/chat-response.js';
import type { AnthropicStopReason } from './anthropic-messages-types.js';

export interface MappedStopReason {
  finishReason: FinishReason;
  stopSequence?: string;
}

/** Anthropic `stop_reason` (+ `stop_sequence`) -> unified finish reason. */
export function mapAnthropicStopReason(stopReason: string | null | undefined, stopSequence?: string | null): MappedStopReason {
  switch (stopReason) {
    case 'end_turn':
      return { finishReason: 'stop' };
    case 'stop_sequence':
      return typeof stopSequence === 'string' ? { finishReason: 'stop', stopSequence } : { finishReason: 'stop' };
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return { finishReason: 'length' };
    case 'tool_use':
      return { finishReason: 'tool_calls' };
    case 'refusal':
      return { finishReason: 'refusal' };
    case 'pause_turn':
      // A server tool loop paused; the caller must resend to continue. No unified equivalent.
      return { finishReason: 'other' };
    default:
      return { finishReason: 'other' };
  }
}

/**
 * Unified finish reason -> Anthropic `stop_reason`, for the Anthropic front door. `other` and
 * `error` become `end_turn`: `pause_turn` would make Anthropic clients resend the turn.
 */
export function toAnthropicStopReason(
  finishReason: FinishReason,
  stopSequence?: string,
): { stop_reason: AnthropicStopReason; stop_sequence: string | null } {
  switch (finishReason) {
    case 'stop':
      return stopSequence === undefined
        ? { stop_reason: 'end_turn', stop_sequence: null }
        : { stop_reason: 'stop_sequence', stop_sequence: stopSequence };
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'tool_calls':
      return { stop_reason: 'tool_use', stop_sequence: null };
    case 'refusal':
    case 'content_filter':
      return { stop_reason: 'refusal', stop_sequence: null };
    case 'error':
    case 'other':
      return { stop_reason: 'end_turn', stop_sequence: null };
  }
}
