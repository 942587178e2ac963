// Gemini function calls usually carry no id, but every unified tool call needs one and callers
// echo it back with the result. Ids are `call_<response id>_<n>`: unique across the turns of a
// conversation (a bare `call_<n>` would repeat every turn) and short enough for clients that
// cap tool-call ids at 40 characters. An id Gemini does send is kept as it is.

import { randomBytes } from 'node:crypto';

export type ToolCallIdFactory = (index: number, upstreamId: string | undefined) => string;

export function createToolCallIdFactory(responseId: string | undefined): ToolCallIdFactory {
  const scope =
    responseId !== undefined && /^[A-Za-z0-9_-]+$/.test(responseId) ? responseId.slice(0, 24) : randomBytes(9).toString('base64url');
  return (index, upstreamId) => (upstreamId !== undefined && upstreamId !== '' ? upstreamId : `call_${scope}_${index}`);
}
