// Anthropic Messages wire format: types and converters shared by the Anthropic provider
// adapter and the Anthropic front door.
export * from './anthropic-messages-types.js';
export * from './anthropic-usage.js';
export * from './map-anthropic-stop-reason.js';
export * from './anthropic-error-body.js';
export * from './encode-anthropic-response.js';
export * from './anthropic-stream-encoder.js';
export * from './tool-call-input.js';
export * from './anthropic-thinking-budget.js';
