// ConverseStream events <-> AWS event-stream frames. Bedrock sends every event as one message
// with `:message-type: event`, `:event-type: <name>`, `:content-type: application/json` and the
// event's JSON as payload; failures inside the stream are `:message-type: exception` messages
// naming the exception in `:exception-type`, with `{"message": ...}` as payload.

import { encodeEventStreamMessage, type EventStreamHeaders } from '../../../src/wire/aws-event-stream/event-stream-codec.js';
import {
  CONVERSE_STREAM_EVENT_TYPES,
  type ConverseStreamEvent,
  type ConverseStreamEventType,
} from '../../../src/wire/bedrock-converse/converse-types.js';
import { isRecord } from '@switchyard/compiler';

const textEncoder = new TextEncoder();

function stringHeaders(values: Record<string, string>): EventStreamHeaders {
  const headers: EventStreamHeaders = {};
  for (const [name, value] of Object.entries(values)) headers[name] = { type: 'string', value };
  return headers;
}

export interface EncodeEventOptions {
  /**
   * Bedrock pads each payload with a `p` member of random length so that message sizes do not
   * leak token lengths; decoders must ignore it. Give the padding to add (letters only).
   */
  padding?: string;
}

export function encodeConverseStreamEvent(event: { eventType: string; payload: unknown }, options: EncodeEventOptions = {}): Uint8Array {
  const payload = options.padding && isRecord(event.payload) ? { ...event.payload, p: options.padding } : event.payload;
  return encodeEventStreamMessage({
    headers: stringHeaders({ ':event-type': event.eventType, ':content-type': 'application/json', ':message-type': 'event' }),
    payload: textEncoder.encode(JSON.stringify(payload)),
  });
}

export function encodeConverseStreamException(exceptionType: string, message: string): Uint8Array {
  return encodeEventStreamMessage({
    headers: stringHeaders({ ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' }),
    payload: textEncoder.encode(JSON.stringify({ message })),
  });
}

/** The generic event-stream error form (`:message-type: error`, code and message as headers). */
export function encodeEventStreamError(errorCode: string, errorMessage: string): Uint8Array {
  return encodeEventStreamMessage({
    headers: stringHeaders({ ':message-type': 'error', ':error-code': errorCode, ':error-message': errorMessage }),
    payload: new Uint8Array(),
  });
}

function isEventType(name: string): name is ConverseStreamEventType {
  return (CONVERSE_STREAM_EVENT_TYPES as readonly string[]).includes(name);
}

/**
 * Parses a recorded ConverseStream capture: one JSON object per line, keyed by event type
 * (`{"messageStart": {"role": "assistant"}}`), the form the AWS SDKs expose events in.
 */
export function parseConverseStreamCapture(text: string): ConverseStreamEvent[] {
  const events: ConverseStreamEvent[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed: unknown = JSON.parse(line);
    const keys = isRecord(parsed) ? Object.keys(parsed) : [];
    const eventType = keys[0];
    if (!isRecord(parsed) || keys.length !== 1 || eventType === undefined || !isEventType(eventType)) {
      throw new Error(`capture line ${index + 1} is not a single ConverseStream event: ${line.slice(0, 80)}`);
    }
    events.push({ eventType, payload: parsed[eventType] } as ConverseStreamEvent);
  });
  return events;
}
