// The caller's POST /v1/batches body: an input file (the gateway's id), the one endpoint batches
// run through the gateway, the one completion window every provider offers, and OpenAI's
// metadata (at most 16 string values). Each problem is a 400 naming the field.
import { isRecord } from '@switchyard/compiler';
import { invalidRequest } from '../../errors/gateway-error.js';
import { BATCH_LINE_URL } from './decode-batch-input-file.js';

export const BATCH_COMPLETION_WINDOW = '24h';
const MAX_METADATA_ENTRIES = 16;

export interface BatchCreateRequest {
  inputFileId: string;
  metadata: Record<string, string> | undefined;
}

export function decodeBatchCreateRequest(body: Record<string, unknown>): BatchCreateRequest {
  if (typeof body.input_file_id !== 'string' || body.input_file_id === '')
    throw invalidRequest("Missing required parameter: 'input_file_id'", 'input_file_id');
  if (body.endpoint !== BATCH_LINE_URL)
    throw invalidRequest(`endpoint must be ${BATCH_LINE_URL} (the one batch endpoint the gateway routes)`, 'endpoint');
  if (body.completion_window !== BATCH_COMPLETION_WINDOW)
    throw invalidRequest(`completion_window must be "${BATCH_COMPLETION_WINDOW}"`, 'completion_window');
  return { inputFileId: body.input_file_id, metadata: readMetadata(body.metadata) };
}

function readMetadata(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (
    !isRecord(value) ||
    Object.values(value).some((entry) => typeof entry !== 'string') ||
    Object.keys(value).length > MAX_METADATA_ENTRIES
  )
    throw invalidRequest(`metadata must be an object of at most ${MAX_METADATA_ENTRIES} string values`, 'metadata');
  return value as Record<string, string>;
}
