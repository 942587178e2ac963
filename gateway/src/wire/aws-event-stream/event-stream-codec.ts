// AWS event-stream framing (`application/vnd.amazon.eventstream`), written from AWS's published
// description of the format. One message on the wire:
//
//   total length (u32) | headers length (u32) | prelude CRC32 (u32, over the 8 bytes before it)
//   headers (headers length bytes) | payload | message CRC32 (u32, over everything before it)
//
// All integers are big-endian. A header is: name length (u8), name (UTF-8), value type (u8),
// value. Bedrock's ConverseStream sends each event as one message whose `:event-type` header
// names the event and whose payload is its JSON.

import * as zlib from 'node:zlib';

type EventStreamHeaderValue =
  | { type: 'boolean'; value: boolean }
  | { type: 'byte'; value: number }
  | { type: 'short'; value: number }
  | { type: 'integer'; value: number }
  | { type: 'long'; value: bigint }
  | { type: 'binary'; value: Uint8Array }
  | { type: 'string'; value: string }
  /** Milliseconds since the Unix epoch. */
  | { type: 'timestamp'; value: Date }
  /** Lower-case hex with dashes (8-4-4-4-12). */
  | { type: 'uuid'; value: string };

export type EventStreamHeaders = Record<string, EventStreamHeaderValue>;

export interface EventStreamMessage {
  headers: EventStreamHeaders;
  payload: Uint8Array;
}

/** The bytes are not a well-formed event stream (bad length, CRC mismatch, unknown header type). */
export class EventStreamFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStreamFramingError';
  }
}

const PRELUDE_LENGTH = 12;
const MESSAGE_CRC_LENGTH = 4;
const MINIMUM_MESSAGE_LENGTH = PRELUDE_LENGTH + MESSAGE_CRC_LENGTH;
/** AWS caps a message at 16 MiB and its headers at 128 KiB. */
const MAX_MESSAGE_LENGTH = 16 * 1024 * 1024;
const MAX_HEADERS_LENGTH = 128 * 1024;

const HEADER_TYPE = {
  boolTrue: 0,
  boolFalse: 1,
  byte: 2,
  short: 3,
  integer: 4,
  long: 5,
  binary: 6,
  string: 7,
  timestamp: 8,
  uuid: 9,
} as const;

// ---- CRC32 (IEEE 802.3, reflected polynomial 0xEDB88320) ----

let crcTable: Uint32Array | undefined;

/** Table-driven CRC32 for runtimes whose node:zlib lacks crc32 (added in Node 22.2). */
export function crc32Portable(data: Uint8Array, initial = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = (initial ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = (crcTable[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export function crc32(data: Uint8Array, initial = 0): number {
  return zlibCrc32 ? zlibCrc32(data, initial) >>> 0 : crc32Portable(data, initial);
}

// ---- encoding ----

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

function encodeHeaderValue(name: string, header: EventStreamHeaderValue): Uint8Array {
  const fail = (why: string): never => {
    throw new RangeError(`event-stream header ${JSON.stringify(name)}: ${why}`);
  };
  switch (header.type) {
    case 'boolean':
      return Uint8Array.of(header.value ? HEADER_TYPE.boolTrue : HEADER_TYPE.boolFalse);
    case 'byte': {
      if (!Number.isInteger(header.value) || header.value < -128 || header.value > 127) fail('byte out of range');
      const out = new Uint8Array(2);
      out[0] = HEADER_TYPE.byte;
      new DataView(out.buffer).setInt8(1, header.value);
      return out;
    }
    case 'short': {
      if (!Number.isInteger(header.value) || header.value < -32768 || header.value > 32767) fail('short out of range');
      const out = new Uint8Array(3);
      out[0] = HEADER_TYPE.short;
      new DataView(out.buffer).setInt16(1, header.value);
      return out;
    }
    case 'integer': {
      if (!Number.isInteger(header.value) || header.value < -2147483648 || header.value > 2147483647) fail('integer out of range');
      const out = new Uint8Array(5);
      out[0] = HEADER_TYPE.integer;
      new DataView(out.buffer).setInt32(1, header.value);
      return out;
    }
    case 'long': {
      if (header.value < -(2n ** 63n) || header.value >= 2n ** 63n) fail('long out of range');
      const out = new Uint8Array(9);
      out[0] = HEADER_TYPE.long;
      new DataView(out.buffer).setBigInt64(1, header.value);
      return out;
    }
    case 'binary':
    case 'string': {
      const bytes = header.type === 'string' ? textEncoder.encode(header.value) : header.value;
      if (bytes.length > 0xffff) fail('value longer than 65535 bytes');
      const out = new Uint8Array(3 + bytes.length);
      out[0] = header.type === 'string' ? HEADER_TYPE.string : HEADER_TYPE.binary;
      new DataView(out.buffer).setUint16(1, bytes.length);
      out.set(bytes, 3);
      return out;
    }
    case 'timestamp': {
      const ms = header.value.getTime();
      if (Number.isNaN(ms)) fail('invalid date');
      const out = new Uint8Array(9);
      out[0] = HEADER_TYPE.timestamp;
      new DataView(out.buffer).setBigInt64(1, BigInt(ms));
      return out;
    }
    case 'uuid': {
      const hex = header.value.replace(/-/g, '');
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) fail('uuid must be 32 hex digits');
      const out = new Uint8Array(17);
      out[0] = HEADER_TYPE.uuid;
      out.set(Buffer.from(hex, 'hex'), 1);
      return out;
    }
  }
}

function encodeEventStreamHeaders(headers: EventStreamHeaders): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = textEncoder.encode(name);
    if (nameBytes.length === 0 || nameBytes.length > 255)
      throw new RangeError(`event-stream header name must be 1-255 bytes: ${JSON.stringify(name)}`);
    parts.push(Uint8Array.of(nameBytes.length), nameBytes, encodeHeaderValue(name, value));
  }
  return Buffer.concat(parts);
}

export function encodeEventStreamMessage(message: EventStreamMessage): Uint8Array {
  const headers = encodeEventStreamHeaders(message.headers);
  if (headers.length > MAX_HEADERS_LENGTH)
    throw new RangeError(`event-stream headers are ${headers.length} bytes, over ${MAX_HEADERS_LENGTH}`);
  const total = PRELUDE_LENGTH + headers.length + message.payload.length + MESSAGE_CRC_LENGTH;
  if (total > MAX_MESSAGE_LENGTH) throw new RangeError(`event-stream message is ${total} bytes, over ${MAX_MESSAGE_LENGTH}`);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headers.length);
  view.setUint32(8, crc32(out.subarray(0, 8)));
  out.set(headers, PRELUDE_LENGTH);
  out.set(message.payload, PRELUDE_LENGTH + headers.length);
  view.setUint32(total - MESSAGE_CRC_LENGTH, crc32(out.subarray(0, total - MESSAGE_CRC_LENGTH)));
  return out;
}

// ---- decoding ----

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function decodeEventStreamHeaders(bytes: Uint8Array): EventStreamHeaders {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: EventStreamHeaders = {};
  let offset = 0;
  const need = (n: number, what: string): void => {
    if (offset + n > bytes.length)
      throw new EventStreamFramingError(`event-stream header ${what} runs past the end of the headers section`);
  };
  while (offset < bytes.length) {
    const nameLength = bytes[offset] as number;
    offset += 1;
    if (nameLength === 0) throw new EventStreamFramingError('event-stream header with an empty name');
    need(nameLength, 'name');
    let name: string;
    try {
      name = textDecoder.decode(bytes.subarray(offset, offset + nameLength));
    } catch {
      throw new EventStreamFramingError('event-stream header name is not valid UTF-8');
    }
    offset += nameLength;
    need(1, `${JSON.stringify(name)} type`);
    const type = bytes[offset] as number;
    offset += 1;
    let value: EventStreamHeaderValue;
    switch (type) {
      case HEADER_TYPE.boolTrue:
        value = { type: 'boolean', value: true };
        break;
      case HEADER_TYPE.boolFalse:
        value = { type: 'boolean', value: false };
        break;
      case HEADER_TYPE.byte:
        need(1, JSON.stringify(name));
        value = { type: 'byte', value: view.getInt8(offset) };
        offset += 1;
        break;
      case HEADER_TYPE.short:
        need(2, JSON.stringify(name));
        value = { type: 'short', value: view.getInt16(offset) };
        offset += 2;
        break;
      case HEADER_TYPE.integer:
        need(4, JSON.stringify(name));
        value = { type: 'integer', value: view.getInt32(offset) };
        offset += 4;
        break;
      case HEADER_TYPE.long:
        need(8, JSON.stringify(name));
        value = { type: 'long', value: view.getBigInt64(offset) };
        offset += 8;
        break;
      case HEADER_TYPE.timestamp:
        need(8, JSON.stringify(name));
        value = { type: 'timestamp', value: new Date(Number(view.getBigInt64(offset))) };
        offset += 8;
        break;
      case HEADER_TYPE.binary:
      case HEADER_TYPE.string: {
        need(2, JSON.stringify(name));
        const length = view.getUint16(offset);
        offset += 2;
        need(length, JSON.stringify(name));
        const raw = bytes.slice(offset, offset + length);
        offset += length;
        if (type === HEADER_TYPE.binary) value = { type: 'binary', value: raw };
        else {
          try {
            value = { type: 'string', value: textDecoder.decode(raw) };
          } catch {
            throw new EventStreamFramingError(`event-stream header ${JSON.stringify(name)} is not valid UTF-8`);
          }
        }
        break;
      }
      case HEADER_TYPE.uuid:
        need(16, JSON.stringify(name));
        value = { type: 'uuid', value: formatUuid(bytes.subarray(offset, offset + 16)) };
        offset += 16;
        break;
      default:
        throw new EventStreamFramingError(`event-stream header ${JSON.stringify(name)} has unknown value type ${type}`);
    }
    headers[name] = value;
  }
  return headers;
}

/** Decodes one complete message (exactly `bytes`), verifying both CRCs. */
export function decodeEventStreamMessage(bytes: Uint8Array): EventStreamMessage {
  if (bytes.length < MINIMUM_MESSAGE_LENGTH)
    throw new EventStreamFramingError(`event-stream message of ${bytes.length} bytes is shorter than the 16-byte minimum`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkPrelude(view);
  const total = view.getUint32(0);
  if (total !== bytes.length) throw new EventStreamFramingError(`event-stream prelude says ${total} bytes, message has ${bytes.length}`);
  const headersLength = view.getUint32(4);
  const expected = view.getUint32(total - MESSAGE_CRC_LENGTH);
  const actual = crc32(bytes.subarray(0, total - MESSAGE_CRC_LENGTH));
  if (expected !== actual)
    throw new EventStreamFramingError(`event-stream message CRC mismatch (expected ${hex32(expected)}, computed ${hex32(actual)})`);
  return {
    headers: decodeEventStreamHeaders(bytes.subarray(PRELUDE_LENGTH, PRELUDE_LENGTH + headersLength)),
    payload: bytes.slice(PRELUDE_LENGTH + headersLength, total - MESSAGE_CRC_LENGTH),
  };
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** Validates the 12-byte prelude: lengths in range and its CRC. */
function checkPrelude(view: DataView): void {
  const total = view.getUint32(0);
  const headersLength = view.getUint32(4);
  const expected = view.getUint32(8);
  const actual = crc32(new Uint8Array(view.buffer, view.byteOffset, 8));
  if (expected !== actual)
    throw new EventStreamFramingError(`event-stream prelude CRC mismatch (expected ${hex32(expected)}, computed ${hex32(actual)})`);
  if (total < MINIMUM_MESSAGE_LENGTH)
    throw new EventStreamFramingError(`event-stream message length ${total} is below the 16-byte minimum`);
  if (total > MAX_MESSAGE_LENGTH) throw new EventStreamFramingError(`event-stream message length ${total} exceeds ${MAX_MESSAGE_LENGTH}`);
  if (headersLength > MAX_HEADERS_LENGTH)
    throw new EventStreamFramingError(`event-stream headers length ${headersLength} exceeds ${MAX_HEADERS_LENGTH}`);
  if (headersLength > total - MINIMUM_MESSAGE_LENGTH)
    throw new EventStreamFramingError(`event-stream headers length ${headersLength} does not fit in a ${total}-byte message`);
}

/**
 * Incremental decoder: feed it chunks split anywhere, get whole messages back. Throws
 * EventStreamFramingError once a prelude or message fails its checks (after returning the intact
 * messages that preceded it in the same chunk); the stream cannot be resynchronised after that,
 * so every later call throws the same error.
 */
export class EventStreamDecoder {
  private buffer = new Uint8Array(0);
  private readAt = 0;
  private writeAt = 0;

  private failure: EventStreamFramingError | undefined;

  push(chunk: Uint8Array): EventStreamMessage[] {
    if (this.failure) throw this.failure;
    this.append(chunk);
    const messages: EventStreamMessage[] = [];
    try {
      for (;;) {
        const available = this.writeAt - this.readAt;
        if (available < PRELUDE_LENGTH) break;
        const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + this.readAt, available);
        checkPrelude(view);
        const total = view.getUint32(0);
        if (available < total) break;
        messages.push(decodeEventStreamMessage(this.buffer.subarray(this.readAt, this.readAt + total)));
        this.readAt += total;
      }
    } catch (error) {
      if (!(error instanceof EventStreamFramingError)) throw error;
      this.failure = error;
      // Messages that arrived intact before the bad one are still delivered; the error follows on the next call.
      if (messages.length === 0) throw error;
    }
    if (this.readAt === this.writeAt) {
      this.readAt = 0;
      this.writeAt = 0;
    }
    return messages;
  }

  /** Bytes of an incomplete message still buffered. */
  get bufferedBytes(): number {
    return this.writeAt - this.readAt;
  }

  /** Call at end of input: throws when the input stopped inside a message. */
  end(): void {
    if (this.failure) throw this.failure;
    const left = this.writeAt - this.readAt;
    if (left > 0) throw new EventStreamFramingError(`event stream ended inside a message (${left} bytes of an incomplete message)`);
  }

  private append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.writeAt + chunk.length > this.buffer.length) {
      const live = this.writeAt - this.readAt;
      const needed = live + chunk.length;
      if (needed <= this.buffer.length) {
        this.buffer.copyWithin(0, this.readAt, this.writeAt);
      } else {
        const next = new Uint8Array(Math.max(needed, this.buffer.length * 2, 4096));
        next.set(this.buffer.subarray(this.readAt, this.writeAt));
        this.buffer = next;
      }
      this.readAt = 0;
      this.writeAt = live;
    }
    this.buffer.set(chunk, this.writeAt);
    this.writeAt += chunk.length;
  }
}

/** Reads a string header, or undefined when absent or of another type. */
export function stringHeader(message: EventStreamMessage, name: string): string | undefined {
  const header = message.headers[name];
  return header?.type === 'string' ? header.value : undefined;
}
