// OpenAI Responses API (`POST /v1/responses`): caller requests -> unified, unified -> caller answers
// and streams.

export { decodeResponsesRequest, type DecodedResponsesRequest } from './decode-responses-request.js';
export { encodeResponsesResponse, type ResponsesEnvelope, type ResponsesOutputOptions } from './encode-responses-response.js';
export { newResponseId } from './responses-ids.js';
export { ResponsesStreamEncoder } from './responses-stream-encoder.js';
