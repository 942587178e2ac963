import { randomBytes } from 'node:crypto';

/** For the few providers that omit tool-call ids: callers need one to answer the call. */
export function generatedToolCallId(): string {
  return `call_${randomBytes(12).toString('base64url')}`;
}
