// Files and batches (OpenAI's /v1/files and /v1/batches): the caller's batch input file and
// multipart upload, Anthropic's Message Batches mapped onto OpenAI's batch shape, and batch
// output lines from either provider family.

export { convertToAnthropicBatchRequest, decodeAnthropicBatch, type AnthropicBatchState } from './anthropic-batches.js';
export { translateAnthropicBatchResults, translateOpenAIBatchOutput } from './batch-output.js';
export { decodeBatchInputFile, encodeUpstreamBatchInputFile } from './decode-batch-input-file.js';
export { parseMultipartForm } from './multipart-form.js';
export { BATCH_COMPLETION_WINDOW, decodeBatchCreateRequest } from './decode-batch-create-request.js';
