// Server-sent events: the framing of every HTTP stream but Bedrock's.

export { SseDecoder, formatSseEvent, type ServerSentEvent } from './sse-decoder.js';
