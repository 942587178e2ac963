import { describe, expect, it } from '@jest/globals';
import { mapAnthropicStopReason, toAnthropicStopReason } from '../../../src/wire/anthropic-messages/map-anthropic-stop-reason.js';
import type { FinishReason } from '../../../src/unified/chat-response.js';

describe('mapAnthropicStopReason', () => {
  const cases: Array<{
    stopReason: string | null;
    stopSequence?: string | null;
    expected: { finishReason: FinishReason; stopSequence?: string };
  }> = [
    { stopReason: 'end_turn', expected: { finishReason: 'stop' } },
    { stopReason: 'stop_sequence', stopSequence: '###', expected: { finishReason: 'stop', stopSequence: '###' } },
    { stopReason: 'stop_sequence', stopSequence: null, expected: { finishReason: 'stop' } },
    { stopReason: 'end_turn', stopSequence: 'ignored-without-stop_sequence', expected: { finishReason: 'stop' } },
    { stopReason: 'max_tokens', expected: { finishReason: 'length' } },
    { stopReason: 'model_context_window_exceeded', expected: { finishReason: 'length' } },
    { stopReason: 'tool_use', expected: { finishReason: 'tool_calls' } },
    { stopReason: 'refusal', expected: { finishReason: 'refusal' } },
    { stopReason: 'pause_turn', expected: { finishReason: 'other' } },
    { stopReason: 'something_new', expected: { finishReason: 'other' } },
    { stopReason: null, expected: { finishReason: 'other' } },
  ];

  it.each(cases)('$stopReason (stop_sequence $stopSequence)', ({ stopReason, stopSequence, expected }) => {
    expect(mapAnthropicStopReason(stopReason, stopSequence)).toEqual(expected);
  });
});

describe('toAnthropicStopReason', () => {
  const cases: Array<{
    finishReason: FinishReason;
    stopSequence?: string;
    expected: { stop_reason: string; stop_sequence: string | null };
  }> = [
    { finishReason: 'stop', expected: { stop_reason: 'end_turn', stop_sequence: null } },
    { finishReason: 'stop', stopSequence: 'END', expected: { stop_reason: 'stop_sequence', stop_sequence: 'END' } },
    { finishReason: 'length', expected: { stop_reason: 'max_tokens', stop_sequence: null } },
    { finishReason: 'tool_calls', expected: { stop_reason: 'tool_use', stop_sequence: null } },
    { finishReason: 'refusal', expected: { stop_reason: 'refusal', stop_sequence: null } },
    { finishReason: 'content_filter', expected: { stop_reason: 'refusal', stop_sequence: null } },
    { finishReason: 'other', expected: { stop_reason: 'end_turn', stop_sequence: null } },
    { finishReason: 'error', expected: { stop_reason: 'end_turn', stop_sequence: null } },
  ];

  it.each(cases)('$finishReason (stop sequence $stopSequence)', ({ finishReason, stopSequence, expected }) => {
    expect(toAnthropicStopReason(finishReason, stopSequence)).toEqual(expected);
  });
});
