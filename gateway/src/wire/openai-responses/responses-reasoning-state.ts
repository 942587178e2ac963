// A reasoning item's `encrypted_content`, as this gateway writes it. OpenAI's is an encrypted
// blob only OpenAI can read; ours carries what a provider needs to accept earlier reasoning back
// in a stateless conversation (Anthropic's thinking text with its signature, or its redacted
// thinking). It is opaque to callers but not secret: it holds nothing the caller was not sent,
// and the provider verifies the signature itself. The `sy1.` prefix tells ours apart from
// OpenAI's, which cannot be forwarded to any other provider.

import { isRecord, optionalString, tryParseJson } from '@switchyard/compiler';

const PREFIX = 'sy1.';

interface ReasoningState {
  text: string;
  signature?: string;
  redactedData?: string;
}

export function encodeReasoningState(state: ReasoningState): string {
  const payload: Record<string, string> = { t: state.text };
  if (state.signature !== undefined) payload.s = state.signature;
  if (state.redactedData !== undefined) payload.r = state.redactedData;
  return PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Undefined when the value is not one this gateway wrote (OpenAI's own, or damaged). */
export function decodeReasoningState(value: string): ReasoningState | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  const body = value.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) return undefined;
  const parsed = tryParseJson(Buffer.from(body, 'base64url').toString('utf8'));
  if (!isRecord(parsed)) return undefined;
  const text = optionalString(parsed.t);
  if (text === undefined) return undefined;
  const state: ReasoningState = { text };
  const signature = optionalString(parsed.s);
  if (signature !== undefined) state.signature = signature;
  const redactedData = optionalString(parsed.r);
  if (redactedData !== undefined) state.redactedData = redactedData;
  return state;
}
