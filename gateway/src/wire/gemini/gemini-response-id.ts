// The Gemini front door's `responseId`. Google's ids are opaque strings with no prefix, so an
// upstream's id (in any family's format) passes unchanged and the answer stays traceable to the
// upstream call; an upstream that gave none gets a fresh one, as every Gemini answer carries one.

import { randomBytes } from 'node:crypto';

export function geminiResponseId(upstreamId: string): string {
  return upstreamId !== '' ? upstreamId : randomBytes(16).toString('base64url');
}
