// OpenAI Responses API (`POST /v1/responses`): caller requests -> unified, unified -> caller answers
// and streams.

export { createResponsesEnvelope } from './create-responses-envelope.js';
export { decodeResponsesRequest, type DecodedResponsesRequest } from './decode-responses-request.js';
export { encodeResponsesResponse, type ResponsesEnvelope, type ResponsesOutputOptions } from './encode-responses-response.js';
export { ResponsesStreamEncoder } from './responses-stream-encoder.js';
