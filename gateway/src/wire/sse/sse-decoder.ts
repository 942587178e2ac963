// Server-sent events framing (WHATWG HTML "event stream" parsing), shared by every provider
// whose stream is SSE. Bytes in, complete events out; tolerant of CRLF and split chunks.
//
// Bounded and linear: each input character is scanned once (an unfinished line is kept as its
// pieces and joined once, when it ends, instead of being rescanned with every chunk), and one
// event may hold at most `MAX_SSE_EVENT_CHARS` characters. Before this, a 50 MB line took
// seconds of rescanning that blocked every other request on the event loop.

/**
 * The most characters one event may hold, its unfinished line included: the same 16 MiB the AWS
 * event stream caps a message at. Provider events are a few kilobytes; the bound is there so a
 * hostile or broken upstream cannot make the gateway buffer without end (docs/configuration.md,
 * "Limits on what callers and upstreams send").
 */
export const MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

/** An event (or one line of it) went past the decoder's size limit; the stream cannot go on. */
export class SseEventTooLargeError extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(`a server-sent event exceeds the ${limit}-character limit on one event (MAX_SSE_EVENT_CHARS)`);
    this.name = 'SseEventTooLargeError';
    this.limit = limit;
  }
}

export interface ServerSentEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

export interface SseDecoderOptions {
  /** Characters one event may hold (default `MAX_SSE_EVENT_CHARS`). */
  maxEventChars?: number;
}

const LF = '\n';
const CR = '\r';

export class SseDecoder {
  private readonly textDecoder = new TextDecoder('utf-8');
  private readonly maxEventChars: number;
  /** The current line so far, in the pieces it arrived in: joined once, when the line ends. */
  private linePieces: string[] = [];
  private lineChars = 0;
  /** The last input ended with CR: an LF starting the next one completes that CRLF, not a blank line. */
  private skipLeadingLf = false;
  private eventName: string | undefined;
  private dataLines: string[] = [];
  /** Characters of the data lines so far, with the newlines that will join them. */
  private dataChars = 0;
  private lastId: string | undefined;
  /** Once over the limit, the stream cannot be resynchronised: every later call throws this. */
  private failure: SseEventTooLargeError | undefined;

  constructor(options: SseDecoderOptions = {}) {
    this.maxEventChars = options.maxEventChars ?? MAX_SSE_EVENT_CHARS;
  }

  /**
   * The events `chunk` completes. Throws SseEventTooLargeError once an event outgrows the limit
   * (after returning the complete events that came before it in the same chunk).
   */
  push(chunk: Uint8Array): ServerSentEvent[] {
    if (this.failure) throw this.failure;
    return this.scan(this.textDecoder.decode(chunk, { stream: true }));
  }

  /** Flushes a trailing event that was not terminated by a blank line. */
  end(): ServerSentEvent[] {
    if (this.failure) throw this.failure;
    const events = this.scan(this.textDecoder.decode());
    if (this.failure) return events;
    if (this.lineChars > 0) this.processField(this.takeLine(''));
    const last = this.dispatch();
    if (last) events.push(last);
    return events;
  }

  /** True when bytes of an incomplete event are still buffered. */
  get hasPartialEvent(): boolean {
    return this.lineChars > 0 || this.dataLines.length > 0;
  }

  private scan(text: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    let start = 0;
    if (this.skipLeadingLf && text.length > 0) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    // The next CR and LF at or after `start` (-1: none left), each searched again only once passed,
    // so a chunk is scanned once whatever mix of line endings it has.
    let lf = -2;
    let cr = -2;
    try {
      for (;;) {
        if (lf !== -1 && lf < start) lf = text.indexOf(LF, start);
        if (cr !== -1 && cr < start) cr = text.indexOf(CR, start);
        const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
        if (end < 0) break;
        let next = end + 1;
        if (end === cr) {
          if (next < text.length) {
            if (text.charCodeAt(next) === 10) next += 1;
          } else {
            this.skipLeadingLf = true;
          }
        }
        this.checkSize(end - start);
        const line = this.takeLine(text.slice(start, end));
        start = next;
        if (line === '') {
          const event = this.dispatch();
          if (event) events.push(event);
        } else {
          this.processField(line);
        }
      }
      if (start < text.length) {
        this.checkSize(text.length - start);
        this.linePieces.push(text.slice(start));
        this.lineChars += text.length - start;
      }
    } catch (error) {
      if (!(error instanceof SseEventTooLargeError)) throw error;
      this.failure = error;
      // Drop what was buffered: nothing more will be decoded, and it may be the bulk of the limit.
      this.linePieces = [];
      this.lineChars = 0;
      this.dataLines = [];
      this.dataChars = 0;
      if (events.length === 0) throw error;
    }
    return events;
  }

  /** Throws when `more` characters would take the current event past the limit. */
  private checkSize(more: number): void {
    if (this.dataChars + this.lineChars + more > this.maxEventChars) throw new SseEventTooLargeError(this.maxEventChars);
  }

  /** The buffered pieces of the current line followed by `last`; the line buffer is emptied. */
  private takeLine(last: string): string {
    if (this.linePieces.length === 0) return last;
    this.linePieces.push(last);
    const line = this.linePieces.join('');
    this.linePieces = [];
    this.lineChars = 0;
    return line;
  }

  private processField(line: string): void {
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.dataLines.push(value);
      this.dataChars += value.length + 1;
    } else if (field === 'event') this.eventName = value;
    else if (field === 'id') this.lastId = value;
  }

  private dispatch(): ServerSentEvent | undefined {
    if (this.dataLines.length === 0) {
      this.eventName = undefined;
      return undefined;
    }
    const event: ServerSentEvent = { event: this.eventName, data: this.dataLines.join('\n'), id: this.lastId };
    this.eventName = undefined;
    this.dataLines = [];
    this.dataChars = 0;
    return event;
  }
}

/**
 * Serializes one SSE frame. Data holding line breaks is written as one `data:` line per line (as
 * the format requires), so it decodes to the same text with LF between the lines and can never
 * end the frame early or inject a field of its own.
 */
export function formatSseEvent(data: string, event?: string): string {
  const body = data.includes(LF) || data.includes(CR) ? data.split(/\r\n|\r|\n/).join('\ndata: ') : data;
  return event === undefined ? `data: ${body}\n\n` : `event: ${event}\ndata: ${body}\n\n`;
}
