// The OpenAI shapes of what /v1/files and /v1/batches answer, built from the gateway's records
// and the upstream's state: ids are always the gateway's, never the upstream's.
import { isRecord } from '@switchyard/compiler';
import type { AnthropicBatchState } from '../../wire/openai-batch/index.js';
import type { StoredBatch, StoredFile } from './batch-store.js';

export function fileObject(file: StoredFile): Record<string, unknown> {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: file.createdAt,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
  };
}

export function listObject(data: unknown[], hasMore: boolean): string {
  const first = data[0] as { id?: string } | undefined;
  const last = data.at(-1) as { id?: string } | undefined;
  return JSON.stringify({ object: 'list', data, first_id: first?.id ?? null, last_id: last?.id ?? null, has_more: hasMore });
}

interface BatchView {
  status: string;
  counts: { total: number; completed: number; failed: number };
  outputFileId: string | null;
  errorFileId: string | null;
  times: Record<string, number | null>;
  errors: unknown;
}

function batchObject(batch: StoredBatch, view: BatchView): Record<string, unknown> {
  return {
    id: batch.id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    model: batch.model,
    errors: view.errors,
    input_file_id: batch.inputFileId,
    completion_window: batch.completionWindow,
    status: view.status,
    output_file_id: view.outputFileId,
    error_file_id: view.errorFileId,
    created_at: batch.createdAt,
    in_progress_at: view.times.in_progress_at ?? null,
    expires_at: view.times.expires_at ?? null,
    finalizing_at: view.times.finalizing_at ?? null,
    completed_at: view.times.completed_at ?? null,
    failed_at: view.times.failed_at ?? null,
    expired_at: view.times.expired_at ?? null,
    cancelling_at: view.times.cancelling_at ?? null,
    cancelled_at: view.times.cancelled_at ?? null,
    request_counts: view.counts,
    metadata: batch.metadata ?? null,
  };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const TIME_FIELDS = [
  'in_progress_at',
  'expires_at',
  'finalizing_at',
  'completed_at',
  'failed_at',
  'expired_at',
  'cancelling_at',
  'cancelled_at',
] as const;

/** An OpenAI or Azure batch: the upstream's state with the gateway's ids (its output and error files' ids minted by the caller). */
export function batchFromOpenAI(
  batch: StoredBatch,
  upstream: Record<string, unknown>,
  outputFileId: string | null,
  errorFileId: string | null,
): Record<string, unknown> {
  const counts = isRecord(upstream.request_counts) ? upstream.request_counts : {};
  const times: Record<string, number | null> = {};
  for (const field of TIME_FIELDS) times[field] = numberOrNull(upstream[field]);
  return batchObject(batch, {
    status: typeof upstream.status === 'string' ? upstream.status : 'validating',
    counts: {
      total: numberOrNull(counts.total) ?? 0,
      completed: numberOrNull(counts.completed) ?? 0,
      failed: numberOrNull(counts.failed) ?? 0,
    },
    outputFileId,
    errorFileId,
    times,
    errors: isRecord(upstream.errors) ? upstream.errors : null,
  });
}

export function batchFromAnthropic(batch: StoredBatch, state: AnthropicBatchState, outputFileId: string | null): Record<string, unknown> {
  const ended = state.hasResults ? (state.endedAt ?? null) : null;
  return batchObject(batch, {
    status: state.status,
    counts: state.counts,
    outputFileId,
    errorFileId: null,
    times: {
      in_progress_at: state.createdAt,
      expires_at: state.expiresAt ?? null,
      completed_at: state.status === 'completed' ? ended : null,
      expired_at: state.status === 'expired' ? ended : null,
      cancelling_at: state.cancelInitiatedAt ?? null,
      cancelled_at: state.status === 'cancelled' ? ended : null,
    },
    errors: null,
  });
}
