// Properties of the SSE decoder: any bytes decode without throwing (but the typed size error),
// how the bytes are split into chunks never changes the events, and formatSseEvent round-trips.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatSseEvent, SseDecoder, SseEventTooLargeError, type ServerSentEvent } from '../../src/wire/sse/index.js';
import { decodesOrThrowsTyped, fuzzParameters, splitAt } from './fuzz-support.js';

/** Text made of SSE's own pieces, so the framing paths are hit far more often than by random bytes. */
const sseText = fc
  .array(
    fc.oneof(
      fc.constantFrom('data:', 'data: ', 'event: ', 'id: ', ': c', 'retry: 5', '\n', '\r', '\r\n', '\n\n', ':', ' ', '日本', '🙂'),
      fc.string({ maxLength: 10 }),
    ),
    { maxLength: 60 },
  )
  .map((pieces) => pieces.join(''));

const anyBytes = fc.oneof(
  sseText.map((text) => new TextEncoder().encode(text)),
  fc.uint8Array({ maxLength: 400 }),
);

function decode(chunks: Uint8Array[], maxEventChars?: number): ServerSentEvent[] | SseEventTooLargeError {
  const decoder = new SseDecoder(maxEventChars === undefined ? {} : { maxEventChars });
  try {
    const events = chunks.flatMap((chunk) => decoder.push(chunk));
    events.push(...decoder.end());
    return events;
  } catch (error) {
    if (error instanceof SseEventTooLargeError) return error;
    throw error;
  }
}

describe('SSE decoder under fuzzing', () => {
  it('decodes any bytes, split anywhere, to the same events', () => {
    fc.assert(
      fc.property(anyBytes, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (bytes, cuts) => {
        decodesOrThrowsTyped(() => {
          const whole = decode([bytes]);
          expect(decode(splitAt(bytes, cuts))).toEqual(whole);
          // One byte at a time is the worst case for a decoder that keeps state between chunks.
          expect(decode([...bytes].map((byte) => Uint8Array.of(byte)))).toEqual(whole);
        }, []);
      }),
      fuzzParameters(400),
    );
  });

  it('with a small size limit, either decodes as without one or throws the typed error', () => {
    fc.assert(
      fc.property(anyBytes, fc.integer({ min: 1, max: 64 }), (bytes, limit) => {
        const unlimited = decode([bytes]);
        const limited = decode([bytes], limit);
        if (!(limited instanceof SseEventTooLargeError)) expect(limited).toEqual(unlimited);
        else expect(limited.limit).toBe(limit);
        // Whatever the limit, no event that came out is larger than it.
        if (Array.isArray(limited)) for (const event of limited) expect(event.data.length).toBeLessThanOrEqual(limit);
      }),
      fuzzParameters(400),
    );
  });

  it('round-trips formatSseEvent: data with any line breaks, and an event name', () => {
    const eventName = fc.option(
      fc.string({ maxLength: 12 }).filter((name) => !/[\r\n]/.test(name) && name !== ''),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80, unit: 'grapheme' }),
        eventName,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        (data, event, cuts) => {
          const bytes = new TextEncoder().encode(formatSseEvent(data, event) + formatSseEvent('second'));
          const decoded = decode(splitAt(bytes, cuts));
          expect(decoded).toEqual([
            // Field values lose one leading space, which is the one formatSseEvent writes after the colon.
            { event, id: undefined, data: data.replace(/\r\n|\r/g, '\n') },
            { event: undefined, id: undefined, data: 'second' },
          ]);
        },
      ),
      fuzzParameters(400),
    );
  });
});
