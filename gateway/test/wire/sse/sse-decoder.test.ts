// The SSE decoder: framing (line endings, split chunks, fields), linear time on long lines, and
// the cap on one event's size.
import { describe, expect, it } from '@jest/globals';
import {
  formatSseEvent,
  MAX_SSE_EVENT_CHARS,
  SseDecoder,
  SseEventTooLargeError,
  type ServerSentEvent,
} from '../../../src/wire/sse/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function decodeAll(chunks: Uint8Array[], decoder = new SseDecoder()): ServerSentEvent[] {
  const events = chunks.flatMap((chunk) => decoder.push(chunk));
  events.push(...decoder.end());
  return events;
}

/** Every way of cutting `text` in two, as bytes (so multi-byte characters are split too). */
function everySplit(text: string): Uint8Array[][] {
  const all = bytes(text);
  const splits: Uint8Array[][] = [];
  for (let at = 0; at <= all.length; at++) splits.push([all.subarray(0, at), all.subarray(at)]);
  return splits;
}

describe('SseDecoder framing', () => {
  const cases: Array<[string, string, Array<Partial<ServerSentEvent>>]> = [
    ['LF', 'data: a\n\ndata: b\n\n', [{ data: 'a' }, { data: 'b' }]],
    ['CRLF', 'data: a\r\n\r\ndata: b\r\n\r\n', [{ data: 'a' }, { data: 'b' }]],
    ['CR', 'data: a\r\rdata: b\r\r', [{ data: 'a' }, { data: 'b' }]],
    ['mixed endings', 'data: a\r\n\ndata: b\r\rdata: c\n\r\n', [{ data: 'a' }, { data: 'b' }, { data: 'c' }]],
    ['multi-line data', 'data: one\ndata: two\n\n', [{ data: 'one\ntwo' }]],
    ['event and id', 'event: delta\nid: 7\ndata: {"x":1}\n\n', [{ event: 'delta', id: '7', data: '{"x":1}' }]],
    ['comments and unknown fields', ': keep-alive\nretry: 10\nfoo\ndata:x\n\n', [{ data: 'x' }]],
    ['only one leading space stripped', 'data:  two spaces\n\n', [{ data: ' two spaces' }]],
    ['an event with no data is dropped', 'event: ping\n\ndata: a\n\n', [{ event: undefined, data: 'a' }]],
    ['a trailing event without a blank line', 'data: a\n\ndata: tail', [{ data: 'a' }, { data: 'tail' }]],
    ['multi-byte characters', 'data: 日本語 🙂\n\n', [{ data: '日本語 🙂' }]],
  ];

  it.each(cases)('%s, split at every byte', (_name, text, expected) => {
    for (const chunks of everySplit(text)) {
      expect(decodeAll(chunks).map((event) => ({ ...event }))).toEqual(expected.map((event) => expect.objectContaining(event)));
    }
  });

  it('treats CR then LF in the next chunk as one line ending, not a blank line', () => {
    const decoder = new SseDecoder();
    expect(decoder.push(bytes('data: a\r'))).toEqual([]);
    expect(decoder.push(bytes('\ndata: b\r\n\r\n'))).toEqual([{ event: undefined, id: undefined, data: 'a\nb' }]);
  });

  it('reports an event still being received', () => {
    const decoder = new SseDecoder();
    decoder.push(bytes('data: a'));
    expect(decoder.hasPartialEvent).toBe(true);
    decoder.push(bytes('\n\n'));
    expect(decoder.hasPartialEvent).toBe(false);
  });
});

describe('SseDecoder time', () => {
  /**
   * Milliseconds to decode one `size`-character data line fed in 64 KiB chunks: the best of five,
   * so a garbage collection or a busy neighbour during one run does not count.
   */
  function decodeLineMs(size: number): number {
    const line = bytes(`data: ${'x'.repeat(size)}`);
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 5; run++) {
      const decoder = new SseDecoder();
      const started = performance.now();
      for (let at = 0; at < line.length; at += 64 * 1024) decoder.push(line.subarray(at, at + 64 * 1024));
      const events = decoder.push(bytes('\n\n'));
      best = Math.min(best, performance.now() - started);
      expect(events[0]?.data.length).toBe(size);
    }
    return best;
  }

  it('grows linearly with the length of one line', () => {
    const MB = 1024 * 1024;
    decodeLineMs(MB); // warm-up
    const times = [1, 2, 4, 8].map((size) => decodeLineMs(size * MB));
    // Linear is 8x from 1 MB to 8 MB; rescanning the buffer on each chunk was 37x and more. The
    // bound is generous for noise on a shared machine, and the 1 MB time is floored at 1 ms.
    const ratio = (times[3] as number) / Math.max(times[0] as number, 1);
    expect(ratio).toBeLessThan(24);
  });
});

describe('SseDecoder size cap', () => {
  it('refuses a line longer than the limit, fed in small chunks, with a typed error naming the limit', () => {
    const decoder = new SseDecoder({ maxEventChars: 1000 });
    expect(decoder.push(bytes('data: '))).toEqual([]);
    let thrown: unknown;
    try {
      for (let i = 0; i < 20; i++) decoder.push(bytes('x'.repeat(100)));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SseEventTooLargeError);
    expect((thrown as SseEventTooLargeError).limit).toBe(1000);
    expect((thrown as Error).message).toContain('1000-character limit');
    expect((thrown as Error).message).toContain('MAX_SSE_EVENT_CHARS');
    // The stream cannot be resynchronised: every later call fails the same way.
    expect(() => decoder.push(bytes('\n\n'))).toThrow(SseEventTooLargeError);
    expect(() => decoder.end()).toThrow(SseEventTooLargeError);
  });

  it('counts every data line of one event, not only the longest', () => {
    const decoder = new SseDecoder({ maxEventChars: 1000 });
    const line = `data: ${'y'.repeat(99)}\n`;
    expect(() => decoder.push(bytes(line.repeat(20)))).toThrow(SseEventTooLargeError);
  });

  it('delivers the complete events before the oversized one, then fails', () => {
    const decoder = new SseDecoder({ maxEventChars: 100 });
    const events = decoder.push(bytes(`data: ok\n\ndata: ${'z'.repeat(200)}`));
    expect(events.map((event) => event.data)).toEqual(['ok']);
    expect(() => decoder.push(bytes('\n\n'))).toThrow(SseEventTooLargeError);
  });

  it('takes events up to the limit, each one counted afresh', () => {
    const decoder = new SseDecoder({ maxEventChars: 100 });
    const frame = `data: ${'a'.repeat(90)}\n\n`;
    expect(decodeAll([bytes(frame.repeat(50))], decoder)).toHaveLength(50);
  });

  it('applies MAX_SSE_EVENT_CHARS (16 MiB) by default', () => {
    expect(MAX_SSE_EVENT_CHARS).toBe(16 * 1024 * 1024);
    const decoder = new SseDecoder();
    const piece = bytes('w'.repeat(1024 * 1024));
    decoder.push(bytes('data: '));
    for (let i = 0; i < 15; i++) decoder.push(piece);
    expect(() => {
      for (let i = 0; i < 2; i++) decoder.push(piece);
    }).toThrow(SseEventTooLargeError);
  });
});

describe('formatSseEvent', () => {
  it.each([
    ['plain', '{"a":1}', undefined],
    ['named', '{"a":1}', 'message_start'],
    ['with line breaks', 'one\ntwo\r\nthree\rfour', undefined],
    ['a line that looks like a field', 'x\nevent: injected\n\ndata: y', 'real'],
  ])('%s: decodes back to the same event (line breaks as LF)', (_name, data, event) => {
    const decoded = decodeAll([bytes(formatSseEvent(data, event))]);
    expect(decoded).toEqual([{ event, id: undefined, data: data.replace(/\r\n|\r/g, '\n') }]);
  });
});
