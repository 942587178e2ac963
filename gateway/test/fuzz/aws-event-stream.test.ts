// Properties of the AWS event-stream codec: encode then decode gives back every message whatever
// the chunking; any bytes (random, or a valid stream with bytes flipped) decode or throw
// EventStreamFramingError, never anything else.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  encodeEventStreamMessage,
  EventStreamDecoder,
  EventStreamFramingError,
  type EventStreamHeaders,
  type EventStreamMessage,
} from '../../src/wire/aws-event-stream/event-stream-codec.js';
import { decodesOrThrowsTyped, fuzzParameters, splitAt } from './fuzz-support.js';

const headerValue = fc.oneof(
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
  fc.integer({ min: -128, max: 127 }).map((value) => ({ type: 'byte' as const, value })),
  fc.integer({ min: -32768, max: 32767 }).map((value) => ({ type: 'short' as const, value })),
  fc.integer().map((value) => ({ type: 'integer' as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ type: 'long' as const, value })),
  fc.uint8Array({ maxLength: 40 }).map((value) => ({ type: 'binary' as const, value })),
  fc.string({ maxLength: 40 }).map((value) => ({ type: 'string' as const, value: Buffer.from(value, 'utf8').toString('utf8') })),
  fc.integer({ min: -8.64e12, max: 8.64e12 }).map((ms) => ({ type: 'timestamp' as const, value: new Date(ms) })),
  fc.uuid().map((value) => ({ type: 'uuid' as const, value })),
);

const message: fc.Arbitrary<EventStreamMessage> = fc.record({
  headers: fc.dictionary(
    fc.string({ minLength: 1, maxLength: 20 }).filter((name) => Buffer.byteLength(name) <= 255 && name !== '__proto__'),
    headerValue,
    { maxKeys: 5 },
  ) as fc.Arbitrary<EventStreamHeaders>,
  payload: fc.uint8Array({ maxLength: 300 }),
});

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

function decodeChunks(chunks: Uint8Array[]): EventStreamMessage[] {
  const decoder = new EventStreamDecoder();
  const messages = chunks.flatMap((chunk) => decoder.push(chunk));
  decoder.end();
  return messages;
}

/** What a message is after a trip: header values compared by type and value, payload by bytes. */
function normalized(messages: EventStreamMessage[]): unknown {
  return messages.map((m) => ({
    headers: Object.fromEntries(
      Object.entries(m.headers).map(([name, header]) => [
        name,
        {
          type: header.type,
          value:
            header.value instanceof Uint8Array ? [...header.value] : header.value instanceof Date ? header.value.getTime() : header.value,
        },
      ]),
    ),
    payload: [...m.payload],
  }));
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });

describe('AWS event-stream codec under fuzzing', () => {
  it('decodes what it encodes, split anywhere', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), cuts, (messages, at) => {
        const bytes = concat(messages.map(encodeEventStreamMessage));
        expect(normalized(decodeChunks(splitAt(bytes, at)))).toEqual(normalized(messages));
      }),
      fuzzParameters(300),
    );
  });

  it('refuses random bytes and corrupted streams only with EventStreamFramingError', () => {
    const corrupted = fc
      .tuple(
        fc.array(message, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
      )
      .map(([messages, flips]) => {
        const bytes = Uint8Array.from(concat(messages.map(encodeEventStreamMessage)));
        for (const [at, mask] of flips) bytes[at % bytes.length] = ((bytes[at % bytes.length] as number) ^ mask) & 0xff;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(corrupted, fc.uint8Array({ maxLength: 200 })), cuts, (bytes, at) => {
        decodesOrThrowsTyped(() => decodeChunks(splitAt(bytes, at)), [EventStreamFramingError]);
      }),
      fuzzParameters(500),
    );
  });
});
