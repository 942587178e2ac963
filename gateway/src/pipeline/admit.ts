// Stage 4, admit: the hook where rate limits (requests, tokens, concurrency) and budget
// reservations plug in. This build enforces none of them: `admitWithoutLimits` admits every
// request and its settlement does nothing, so no limit is ever pretended.
import type { Usage } from '@switchyard/compiler';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { RuntimeKey, RuntimeRoute } from '../table/runtime-table.js';

export interface AdmissionRequest {
  key: RuntimeKey;
  route: RuntimeRoute;
  /** The decoded request; estimates for reservations are made from it. */
  request: UnifiedChatRequest | UnifiedEmbeddingsRequest;
}

/** Held from admission to settlement; `settle` gets the real usage (undefined when the call failed). */
export interface Admission {
  settle(usage: Usage | undefined): void;
}

export interface AdmissionControl {
  /** Throws GatewayError (429 rate_limited / budget_exceeded) to refuse. */
  admit(request: AdmissionRequest): Admission | Promise<Admission>;
}

const NOTHING_HELD: Admission = { settle: () => undefined };

export const admitWithoutLimits: AdmissionControl = {
  admit: () => NOTHING_HELD,
};
