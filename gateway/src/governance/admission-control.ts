// What the pipeline's admit stage (stage 4: rate limits and budget reservations) asks of
// governance. It is declared here, beside its implementation (governance-admission.ts), so the
// pipeline depends on governance and never the reverse; `admitWithoutLimits` admits every
// request and its settlement does nothing (tests and embedders that want no governance).
import type { Usage } from '@switchyard/compiler';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedRerankRequest } from '../unified/rerank.js';
import type { UnifiedImageRequest } from '../unified/images.js';
import type { UnifiedAudioRequest } from '../unified/audio.js';
import type { RuntimeKey, RuntimeRoute } from '../table/runtime-table.js';
import type { SessionAdmission, SessionAdmissionRequest } from './realtime-session-admission.js';

export interface AdmissionRequest {
  key: RuntimeKey;
  route: RuntimeRoute;
  /** The decoded request; estimates for reservations are made from it. */
  request: UnifiedChatRequest | UnifiedEmbeddingsRequest | UnifiedRerankRequest | UnifiedImageRequest | UnifiedAudioRequest;
}

/** What settlement knows besides the usage. */
export interface SettlementDetails {
  /** Cost of the real usage at the answering backend's price; undefined when it has no price. */
  costNanos?: bigint;
  /** The upstream began answering (a stream started) but no usage arrived: charge what was reserved. */
  usageLost?: boolean;
}

/** Held from admission to settlement; `settle` gets the real usage (undefined when the call failed). */
export interface Admission {
  settle(usage: Usage | undefined, details?: SettlementDetails): void;
  /** Headers for the answer, success or failure (`x-ratelimit-*`, budget warnings). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface AdmissionControl {
  /** Throws GatewayError (429 rate_limited / budget_exceeded) to refuse. */
  admit(request: AdmissionRequest): Admission | Promise<Admission>;
  /**
   * One MCP tool call under the key's `spec.mcp.rateLimit.callsPerMinute`: undefined when
   * admitted, else how long to wait in ms. Absent: tool calls are not limited.
   */
  admitToolCall?(keyId: string, callsPerMinute: number): Promise<number | undefined>;
  /**
   * One more model round of a request's hosted-tool loop (round 2 and later) under the key's
   * `requestsPerMinute`: every model call counts as a request. Throws GatewayError (429) to
   * refuse. Tokens and budgets need nothing here: the request's settlement carries every round's
   * usage. Absent: rounds are not counted.
   */
  admitRound?(key: RuntimeKey, round: number): Promise<void>;
  /** Batch submissions and their results (pipeline/batches/). Absent: batches are admitted and charged nothing. */
  readonly batches?: BatchAdmissionControl;
  /**
   * A realtime session at open (GET /v1/realtime), held until it closes; its responses are
   * charged as they finish. Throws GatewayError (429, 403) to refuse. Absent: sessions are not governed.
   */
  admitSession?(request: SessionAdmissionRequest): Promise<SessionAdmission>;
}

/** A batch's submission as admission sees it: its estimate held until the results are fetched. */
export interface BatchAdmissionRequest {
  key: RuntimeKey;
  route: RuntimeRoute;
  /** The input file's totals: every line's bounded prompt estimate, and every line's max tokens (the route's default where a line sets none). */
  promptTokens: number;
  maxOutputTokens: number;
  /** How long a shared ledger keeps the reservation if nobody fetches the results (the batch's window and retention). */
  holdMs: number;
}

export interface BatchHold {
  /** The reservation's handle, stored with the batch so any replica settles it; undefined when nothing was reserved. */
  hold: string | undefined;
  /** Headers for the submission's answer (`x-ratelimit-*`, budget warnings). */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Batches: a submission counts as one request under the key's rate limits (its concurrency slot
 * is not kept: the work happens upstream) and reserves its estimate in the key's budgets until
 * the results are fetched; then `settleBatch` charges their real cost, on any replica.
 */
export interface BatchAdmissionControl {
  /** Throws GatewayError (429 rate_limited / budget_exceeded) to refuse. */
  holdBatch(request: BatchAdmissionRequest): Promise<BatchHold>;
  /** Releases the hold (undefined: none) and charges `costNanos` to the key's budgets. */
  settleBatch(key: RuntimeKey, hold: string | undefined, costNanos: bigint): void;
}

const NOTHING_HELD: Admission = { settle: () => undefined };

export const admitWithoutLimits: AdmissionControl = {
  admit: () => NOTHING_HELD,
};
