// Anthropic's Message Batches API (POST /v1/messages/batches) from and to OpenAI's Batch API
// shape: the caller's chat lines become `{custom_id, params}` requests through the same
// chat -> Messages translation the chat endpoint uses, and a message batch's state reads as an
// OpenAI batch's status and counts.
import { isRecord } from '@switchyard/compiler';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import type { BatchInputFile, BatchRequestCounts, BatchStatus } from '../../unified/batch.js';
import { convertToAnthropicMessagesRequest } from '../anthropic-messages/index.js';

export interface AnthropicBatchDefaults {
  /** Provider-side model id. */
  model: string;
  /** Sent as max_tokens on lines that give none (Anthropic requires it). */
  defaultMaxTokens: number;
}

export function convertToAnthropicBatchRequest(file: BatchInputFile, defaults: AnthropicBatchDefaults): string {
  const requests = file.lines.map((line) => ({
    custom_id: line.customId,
    params: convertToAnthropicMessagesRequest({ ...line.request, stream: false }, defaults),
  }));
  return JSON.stringify({ requests });
}

/** What an OpenAI batch object needs from a message batch. */
export interface AnthropicBatchState {
  id: string;
  status: BatchStatus;
  counts: BatchRequestCounts;
  createdAt: number;
  expiresAt: number | undefined;
  endedAt: number | undefined;
  cancelInitiatedAt: number | undefined;
  /** Results can be fetched (the batch ended). */
  hasResults: boolean;
}

function seconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function count(counts: Record<string, unknown>, name: string): number {
  const value = counts[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function decodeAnthropicBatch(body: unknown): AnthropicBatchState {
  if (!isRecord(body) || typeof body.id !== 'string' || typeof body.processing_status !== 'string')
    throw new UpstreamFailure('Other', 200, 'anthropic returned a message batch without id or processing_status');
  const counts = isRecord(body.request_counts) ? body.request_counts : {};
  const succeeded = count(counts, 'succeeded');
  const errored = count(counts, 'errored');
  const canceled = count(counts, 'canceled');
  const expired = count(counts, 'expired');
  const total = count(counts, 'processing') + succeeded + errored + canceled + expired;
  const cancelInitiatedAt = seconds(body.cancel_initiated_at);
  let status: BatchStatus;
  if (body.processing_status === 'in_progress') status = 'in_progress';
  else if (body.processing_status === 'canceling') status = 'cancelling';
  else if (cancelInitiatedAt !== undefined) status = 'cancelled';
  else if (expired > 0 && succeeded + errored === 0) status = 'expired';
  else status = 'completed';
  return {
    id: body.id,
    status,
    counts: { total, completed: succeeded, failed: errored + canceled + expired },
    createdAt: seconds(body.created_at) ?? 0,
    expiresAt: seconds(body.expires_at),
    endedAt: seconds(body.ended_at),
    cancelInitiatedAt,
    hasResults: body.processing_status === 'ended',
  };
}
