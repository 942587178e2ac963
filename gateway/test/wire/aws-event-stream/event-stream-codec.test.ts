import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  crc32,
  crc32Portable,
  decodeEventStreamMessage,
  encodeEventStreamMessage,
  EventStreamDecoder,
  EventStreamFramingError,
  type EventStreamHeaders,
  type EventStreamMessage,
} from '../../../src/wire/aws-event-stream/event-stream-codec.js';
import { repoRoot } from '../../support/repo-paths.js';

interface Vector {
  expectation: 'success' | 'failure';
  encoded: string;
  headers?: Record<string, { type: 'integer' | 'string'; value: number | string }>;
  payload?: string;
}

const vectors = (
  JSON.parse(
    readFileSync(join(repoRoot, 'gateway', 'src', 'wire', 'aws-event-stream', '__fixtures__', 'event-stream-vectors.json'), 'utf8'),
  ) as {
    vectors: Record<string, Vector>;
  }
).vectors;

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function decodeAll(chunks: Uint8Array[]): EventStreamMessage[] {
  const decoder = new EventStreamDecoder();
  const out = chunks.flatMap((c) => decoder.push(c));
  decoder.end();
  return out;
}

describe('CRC32', () => {
  it('matches the standard check value for "123456789"', () => {
    expect(crc32(utf8('123456789'))).toBe(0xcbf43926);
    expect(crc32Portable(utf8('123456789'))).toBe(0xcbf43926);
  });

  it('portable and zlib implementations agree, including chained updates', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff);
    expect(crc32Portable(data)).toBe(crc32(data));
    expect(crc32Portable(data.subarray(500), crc32Portable(data.subarray(0, 500)))).toBe(crc32(data));
  });
});

describe('event-stream codec against AWS test vectors', () => {
  const successes = Object.entries(vectors).filter(([, v]) => v.expectation === 'success');
  const failures = Object.entries(vectors).filter(([, v]) => v.expectation === 'failure');

  it.each(successes)('decodes %s', (_name, vector) => {
    const message = decodeEventStreamMessage(hex(vector.encoded));
    expect(Buffer.from(message.payload).toString('hex')).toBe(vector.payload);
    expect(message.headers).toEqual(vector.headers);
  });

  it.each(successes)('encodes %s to the published bytes', (_name, vector) => {
    const headers = vector.headers as EventStreamHeaders;
    const bytes = encodeEventStreamMessage({ headers, payload: hex(vector.payload ?? '') });
    expect(Buffer.from(bytes).toString('hex')).toBe(vector.encoded);
  });

  it.each(failures)('rejects %s', (_name, vector) => {
    expect(() => decodeAll([hex(vector.encoded)])).toThrow(EventStreamFramingError);
  });
});

describe('event-stream header types', () => {
  const allTypes: EventStreamHeaders = {
    'bool-true': { type: 'boolean', value: true },
    'bool-false': { type: 'boolean', value: false },
    byte: { type: 'byte', value: -7 },
    short: { type: 'short', value: -32768 },
    integer: { type: 'integer', value: 2147483647 },
    long: { type: 'long', value: -9007199254740993n },
    binary: { type: 'binary', value: Uint8Array.of(0, 1, 254, 255) },
    string: { type: 'string', value: 'héllo ✓' },
    timestamp: { type: 'timestamp', value: new Date('2015-08-30T12:36:00.123Z') },
    uuid: { type: 'uuid', value: '0123cdef-4567-89ab-cdef-0123456789ab' },
  };

  it('round-trips every header type 0-9', () => {
    const bytes = encodeEventStreamMessage({ headers: allTypes, payload: utf8('{"x":1}') });
    const decoded = decodeEventStreamMessage(bytes);
    expect(decoded.headers).toEqual(allTypes);
    expect(new TextDecoder().decode(decoded.payload)).toBe('{"x":1}');
  });

  it('decodes hand-built header bytes of every type', () => {
    const headerBytes = Buffer.concat([
      Buffer.from([1, 0x61, 0]), // a: true
      Buffer.from([1, 0x62, 1]), // b: false
      Buffer.from([1, 0x63, 2, 0xff]), // c: byte -1
      Buffer.from([1, 0x64, 3, 0x01, 0x02]), // d: short 258
      Buffer.from([1, 0x65, 4, 0xff, 0xff, 0xff, 0xfe]), // e: integer -2
      Buffer.from([1, 0x66, 5, 0, 0, 0, 1, 0, 0, 0, 0]), // f: long 2^32
      Buffer.from([1, 0x67, 6, 0, 2, 0xde, 0xad]), // g: binary dead
      Buffer.from([1, 0x68, 7, 0, 3, 0x61, 0x62, 0x63]), // h: string abc
      Buffer.from([1, 0x69, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]), // i: timestamp 1000 ms
      Buffer.from([1, 0x6a, 9, ...Array.from({ length: 16 }, (_, i) => i)]), // j: uuid 000102..0f
    ]);
    const payload = Buffer.from('p');
    const total = 12 + headerBytes.length + payload.length + 4;
    const message = Buffer.alloc(total);
    message.writeUInt32BE(total, 0);
    message.writeUInt32BE(headerBytes.length, 4);
    message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
    headerBytes.copy(message, 12);
    payload.copy(message, 12 + headerBytes.length);
    message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);

    const [decoded] = decodeAll([message]);
    expect(decoded?.headers).toEqual({
      a: { type: 'boolean', value: true },
      b: { type: 'boolean', value: false },
      c: { type: 'byte', value: -1 },
      d: { type: 'short', value: 258 },
      e: { type: 'integer', value: -2 },
      f: { type: 'long', value: 4294967296n },
      g: { type: 'binary', value: Uint8Array.of(0xde, 0xad) },
      h: { type: 'string', value: 'abc' },
      i: { type: 'timestamp', value: new Date(1000) },
      j: { type: 'uuid', value: '00010203-0405-0607-0809-0a0b0c0d0e0f' },
    });
  });

  it('rejects an unknown header type and a header running past its section', () => {
    const build = (headerBytes: Buffer): Buffer => {
      const total = 12 + headerBytes.length + 4;
      const m = Buffer.alloc(total);
      m.writeUInt32BE(total, 0);
      m.writeUInt32BE(headerBytes.length, 4);
      m.writeUInt32BE(crc32(m.subarray(0, 8)), 8);
      headerBytes.copy(m, 12);
      m.writeUInt32BE(crc32(m.subarray(0, total - 4)), total - 4);
      return m;
    };
    expect(() => decodeAll([build(Buffer.from([1, 0x61, 10]))])).toThrow(/unknown value type 10/);
    expect(() => decodeAll([build(Buffer.from([1, 0x61, 7, 0, 9, 0x61]))])).toThrow(/runs past/);
  });

  it('refuses to encode out-of-range values', () => {
    expect(() => encodeEventStreamMessage({ headers: { b: { type: 'byte', value: 128 } }, payload: new Uint8Array() })).toThrow(RangeError);
    expect(() => encodeEventStreamMessage({ headers: { u: { type: 'uuid', value: 'nope' } }, payload: new Uint8Array() })).toThrow(
      RangeError,
    );
  });
});

describe('incremental decoding', () => {
  const frames = [
    encodeEventStreamMessage({
      headers: { ':event-type': { type: 'string', value: 'messageStart' } },
      payload: utf8('{"role":"assistant"}'),
    }),
    encodeEventStreamMessage({ headers: {}, payload: new Uint8Array() }),
    encodeEventStreamMessage({
      headers: { ':event-type': { type: 'string', value: 'contentBlockDelta' } },
      payload: utf8('{"delta":{"text":"hé"}}'),
    }),
  ];
  const stream = Buffer.concat(frames);
  const expected = frames.map((f) => decodeEventStreamMessage(f));

  it('yields the same messages for every single split position', () => {
    for (let split = 0; split <= stream.length; split++) {
      expect(decodeAll([stream.subarray(0, split), stream.subarray(split)])).toEqual(expected);
    }
  });

  it('yields the same messages for every pair of split positions', () => {
    for (let a = 0; a <= stream.length; a += 3) {
      for (let b = a; b <= stream.length; b += 5) {
        expect(decodeAll([stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)])).toEqual(expected);
      }
    }
  });

  it('decodes a byte at a time', () => {
    expect(decodeAll(Array.from(stream, (byte) => Uint8Array.of(byte)))).toEqual(expected);
  });

  it('throws at end() when the input stops inside a message', () => {
    const decoder = new EventStreamDecoder();
    expect(decoder.push(stream.subarray(0, stream.length - 1))).toHaveLength(2);
    expect(decoder.bufferedBytes).toBeGreaterThan(0);
    expect(() => decoder.end()).toThrow(/ended inside a message/);
  });

  it('detects a flipped bit anywhere in a message', () => {
    const frame = frames[0] as Uint8Array;
    for (let i = 0; i < frame.length; i++) {
      const corrupted = Uint8Array.from(frame);
      corrupted[i] = (corrupted[i] as number) ^ 0x10;
      expect(() => decodeAll([corrupted])).toThrow(EventStreamFramingError);
    }
  });

  it('reports a prelude CRC mismatch before the message body arrives', () => {
    const corrupted = Uint8Array.from(frames[0] as Uint8Array);
    corrupted[3] = (corrupted[3] as number) ^ 0x01;
    const decoder = new EventStreamDecoder();
    expect(() => decoder.push(corrupted.subarray(0, 12))).toThrow(/prelude CRC mismatch/);
  });

  it('reports a message CRC mismatch', () => {
    const corrupted = Uint8Array.from(frames[0] as Uint8Array);
    corrupted[corrupted.length - 1] = (corrupted[corrupted.length - 1] as number) ^ 0xff;
    expect(() => decodeAll([corrupted])).toThrow(/message CRC mismatch/);
  });

  it('rejects lengths that cannot be right even with a valid prelude CRC', () => {
    const prelude = (total: number, headers: number): Buffer => {
      const b = Buffer.alloc(12);
      b.writeUInt32BE(total, 0);
      b.writeUInt32BE(headers, 4);
      b.writeUInt32BE(crc32(b.subarray(0, 8)), 8);
      return b;
    };
    expect(() => new EventStreamDecoder().push(prelude(15, 0))).toThrow(/minimum/);
    expect(() => new EventStreamDecoder().push(prelude(20, 5))).toThrow(/does not fit/);
    expect(() => new EventStreamDecoder().push(prelude(64 * 1024 * 1024, 0))).toThrow(/exceeds/);
  });
});

describe('failure after good messages in one chunk', () => {
  it('returns the intact messages first, then throws on the next call and at end()', () => {
    const good = encodeEventStreamMessage({ headers: {}, payload: utf8('ok') });
    const bad = Uint8Array.from(good);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    const decoder = new EventStreamDecoder();
    expect(decoder.push(Buffer.concat([good, bad]))).toHaveLength(1);
    expect(() => decoder.push(good)).toThrow(/message CRC mismatch/);
    expect(() => decoder.end()).toThrow(/message CRC mismatch/);
  });
});
