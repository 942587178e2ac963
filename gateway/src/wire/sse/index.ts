// Server-sent events: the framing of every HTTP stream but Bedrock's.

export { MAX_SSE_EVENT_CHARS, SseDecoder, SseEventTooLargeError, formatSseEvent, type ServerSentEvent } from './sse-decoder.js';
