import { describe, expect, it } from '@jest/globals';
import { mapBedrockStopReason } from '../../../src/wire/bedrock-converse/map-bedrock-stop-reason.js';

describe('mapBedrockStopReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['malformed_model_output', 'error'],
    ['malformed_tool_use', 'error'],
    ['some_future_reason', 'other'],
    [undefined, 'other'],
  ])('%s -> %s', (stopReason, finishReason) => {
    expect(mapBedrockStopReason(stopReason).finishReason).toBe(finishReason);
  });

  it('reports the matched stop sequence Anthropic models return beside the stop reason', () => {
    expect(mapBedrockStopReason('stop_sequence', { stop_sequence: 'END' })).toEqual({ finishReason: 'stop', stopSequence: 'END' });
  });

  it('ignores a null stop_sequence (as in the recorded stream) and one on other stop reasons', () => {
    expect(mapBedrockStopReason('end_turn', { delta: { stop_sequence: null } })).toEqual({ finishReason: 'stop' });
    expect(mapBedrockStopReason('end_turn', { stop_sequence: 'END' })).toEqual({ finishReason: 'stop' });
    expect(mapBedrockStopReason('stop_sequence', { stop_sequence: null })).toEqual({ finishReason: 'stop' });
  });
});
