// The realtime events the gateway reads while relaying: the type of any event (from its first
// bytes, or the whole event when `type` is not near the start), response.done usage by modality
// (the API reference's example, splits left out, cancelled responses without usage), the cost
// of that usage at realtime prices, and the gateway's own error event.
import { describe, expect, it } from '@jest/globals';
import { realtimeCostNanos, type RealtimePrices } from '../../../src/governance/cost/realtime-cost.js';
import { encodeRealtimeError, realtimeEventType, responseDoneUsage } from '../../../src/wire/openai-realtime/index.js';

const frame = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

// The response.done example of the OpenAI API reference (RealtimeServerEventResponseDone).
const REFERENCE_DONE = {
  type: 'response.done',
  event_id: 'event_CCXHxcMy86rrKhBLDdqCh',
  response: {
    object: 'realtime.response',
    id: 'resp_CCXHw0UJld10EzIUXQCNh',
    status: 'completed',
    usage: {
      total_tokens: 253,
      input_tokens: 132,
      output_tokens: 121,
      input_token_details: {
        text_tokens: 119,
        audio_tokens: 13,
        image_tokens: 0,
        cached_tokens: 64,
        cached_tokens_details: { text_tokens: 64, audio_tokens: 0, image_tokens: 0 },
      },
      output_token_details: { text_tokens: 30, audio_tokens: 91 },
    },
  },
};

describe('realtimeEventType', () => {
  it.each([
    ['type first', { type: 'response.output_audio.delta', delta: 'A'.repeat(100_000) }, 'response.output_audio.delta'],
    ['event_id first', { event_id: 'event_1', type: 'session.created', session: {} }, 'session.created'],
    ['type after a large field', { delta: 'A'.repeat(2_000), type: 'response.done' }, 'response.done'],
    ['no type', { delta: 'x' }, undefined],
  ])('%s', (_name, event, expected) => {
    expect(realtimeEventType(frame(event))).toBe(expected);
  });

  it('reads no type from a frame that is not JSON', () => {
    expect(realtimeEventType(Buffer.from('not json'))).toBeUndefined();
  });
});

describe('responseDoneUsage', () => {
  it("splits the reference example's usage by modality, cached tokens inside the input counts", () => {
    expect(responseDoneUsage(JSON.stringify(REFERENCE_DONE))).toEqual({
      inputTokens: 132,
      outputTokens: 121,
      inputTextTokens: 119,
      inputAudioTokens: 13,
      inputImageTokens: 0,
      cachedTextTokens: 64,
      cachedAudioTokens: 0,
      cachedImageTokens: 0,
      outputTextTokens: 30,
      outputAudioTokens: 91,
    });
  });

  it('counts tokens without a modality split as audio, the dearer one', () => {
    const usage = responseDoneUsage(JSON.stringify({ type: 'response.done', response: { usage: { input_tokens: 40, output_tokens: 7 } } }));
    expect(usage).toMatchObject({ inputTextTokens: 0, inputAudioTokens: 40, outputTextTokens: 0, outputAudioTokens: 7 });
  });

  it('has no usage for a response without one, or for another event', () => {
    expect(responseDoneUsage(JSON.stringify({ type: 'response.done', response: { status: 'cancelled', usage: null } }))).toBeUndefined();
    expect(responseDoneUsage(JSON.stringify({ type: 'response.created', response: { usage: { input_tokens: 1 } } }))).toBeUndefined();
  });
});

describe('realtimeCostNanos', () => {
  // gpt-realtime's list prices in nano-dollars per million tokens.
  const prices: RealtimePrices = {
    textInput: 4_000_000_000n,
    cachedTextInput: 400_000_000n,
    textOutput: 16_000_000_000n,
    audioInput: 32_000_000_000n,
    cachedAudioInput: 400_000_000n,
    audioOutput: 64_000_000_000n,
    imageInput: 5_000_000_000n,
    cachedImageInput: 500_000_000n,
  };

  it('prices each modality, cached input at its own price, rounding the total up once', () => {
    const usage = responseDoneUsage(JSON.stringify(REFERENCE_DONE));
    if (usage === undefined) throw new Error('no usage');
    // 55 text at $4, 64 cached text at $0.40, 13 audio at $32, 30 text out at $16, 91 audio out at $64 per million.
    const expected =
      (55n * 4_000_000_000n + 64n * 400_000_000n + 13n * 32_000_000_000n + 30n * 16_000_000_000n + 91n * 64_000_000_000n) / 1_000_000n;
    expect(realtimeCostNanos(usage, prices)).toBe(expected);
  });
});

describe('encodeRealtimeError', () => {
  it('is a RealtimeServerEventError with an event id', () => {
    const event = JSON.parse(encodeRealtimeError({ type: 'invalid_request_error', code: 'budget_exceeded', message: 'spent' })) as Record<
      string,
      unknown
    >;
    expect(event).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'budget_exceeded', message: 'spent', param: null, event_id: null },
    });
    expect(event.event_id).toMatch(/^event_[0-9a-f]{24}$/);
  });
});
