// Bedrock Converse and ConverseStream: unified -> provider requests, provider answers, streams and
// errors -> unified.

export { BedrockStreamDecoder } from './bedrock-stream-decoder.js';
export { convertFromBedrockConverse, type ResponseIdentity } from './convert-from-bedrock-converse.js';
export { convertToBedrockConverse } from './convert-to-bedrock-converse.js';
export { decodeBedrockError } from './decode-bedrock-error.js';
