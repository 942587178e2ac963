// AWS event-stream framing (`application/vnd.amazon.eventstream`), which Bedrock streams in.

export { EventStreamDecoder, EventStreamFramingError, stringHeader, type EventStreamMessage } from './event-stream-codec.js';
