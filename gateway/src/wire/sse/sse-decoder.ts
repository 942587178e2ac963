// Server-sent events framing (WHATWG HTML "event stream" parsing), shared by every provider
// whose stream is SSE. Bytes in, complete events out; tolerant of CRLF and split chunks.

export interface ServerSentEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

export class SseDecoder {
  private readonly textDecoder = new TextDecoder('utf-8');
  private buffer = '';
  private eventName: string | undefined;
  private dataLines: string[] = [];
  private lastId: string | undefined;

  push(chunk: Uint8Array): ServerSentEvent[] {
    this.buffer += this.textDecoder.decode(chunk, { stream: true });
    return this.drainLines(false);
  }

  /** Flushes a trailing event that was not terminated by a blank line. */
  end(): ServerSentEvent[] {
    this.buffer += this.textDecoder.decode();
    const events = this.drainLines(true);
    const last = this.dispatch();
    if (last) events.push(last);
    return events;
  }

  /** True when bytes of an incomplete event are still buffered. */
  get hasPartialEvent(): boolean {
    return this.buffer.length > 0 || this.dataLines.length > 0;
  }

  private drainLines(final: boolean): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (;;) {
      let end = -1;
      let next = -1;
      for (let i = start; i < this.buffer.length; i++) {
        const c = this.buffer.charCodeAt(i);
        if (c === 10) {
          end = i;
          next = i + 1;
          break;
        }
        if (c === 13) {
          // A CR at the very end may be the first half of CRLF: wait for more input.
          if (i + 1 >= this.buffer.length && !final) break;
          end = i;
          next = this.buffer.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
          break;
        }
      }
      if (end < 0) break;
      const line = this.buffer.slice(start, end);
      start = next;
      if (line === '') {
        const event = this.dispatch();
        if (event) events.push(event);
        continue;
      }
      this.processField(line);
    }
    this.buffer = this.buffer.slice(start);
    if (final && this.buffer.length > 0) {
      this.processField(this.buffer);
      this.buffer = '';
    }
    return events;
  }

  private processField(line: string): void {
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
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
    return event;
  }
}

/** Serializes one SSE frame. */
export function formatSseEvent(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
