import { describe, expect, it } from '@jest/globals';
import { mapGeminiFinishReason, toGeminiFinishReason } from '../../../src/wire/gemini/map-gemini-finish-reason.js';
import type { FinishReason } from '../../../src/unified/chat-response.js';

describe('mapGeminiFinishReason', () => {
  it.each<[string | undefined, boolean, FinishReason]>([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['MAX_TOKENS', true, 'length'],
    ['CONTINUATION', false, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['IMAGE_PROHIBITED_CONTENT', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['UNEXPECTED_TOOL_CALL', false, 'error'],
    ['TOO_MANY_TOOL_CALLS', true, 'error'],
    ['LANGUAGE', false, 'other'],
    ['OTHER', false, 'other'],
    ['FINISH_REASON_UNSPECIFIED', false, 'other'],
    ['SOMETHING_NEW', false, 'other'],
    [undefined, false, 'other'],
  ])('%s (tool calls: %s) -> %s', (reason, hasToolCalls, expected) => {
    expect(mapGeminiFinishReason(reason, hasToolCalls)).toBe(expected);
  });
});

describe('toGeminiFinishReason', () => {
  it.each<[FinishReason, string]>([
    ['stop', 'STOP'],
    ['tool_calls', 'STOP'],
    ['length', 'MAX_TOKENS'],
    ['content_filter', 'SAFETY'],
    ['refusal', 'SAFETY'],
    ['error', 'MALFORMED_FUNCTION_CALL'],
    ['other', 'OTHER'],
  ])('%s -> %s', (reason, expected) => {
    expect(toGeminiFinishReason(reason)).toBe(expected);
  });

  it('round-trips the reasons Gemini has', () => {
    for (const reason of ['STOP', 'MAX_TOKENS', 'SAFETY', 'MALFORMED_FUNCTION_CALL', 'OTHER']) {
      expect(toGeminiFinishReason(mapGeminiFinishReason(reason, false))).toBe(reason);
    }
  });
});
