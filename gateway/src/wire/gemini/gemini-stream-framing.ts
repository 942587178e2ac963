// `:streamGenerateContent` answers in one of two framings, chosen by the `alt` query parameter
// as Google does: `alt=sse` gives server-sent events (what the official SDKs ask for); no `alt`
// (or `alt=json`) gives one JSON array whose elements are written as they are produced.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { GeminiStreamFraming } from './gemini-stream-encoder.js';
import type { FrontDoorContext } from '../../unified/front-door-codec.js';

/** Throws a 400 naming `alt` for a value the gateway cannot answer in. */
export function geminiStreamFraming(context: FrontDoorContext): GeminiStreamFraming {
  const alt = context.query?.get('alt') ?? null;
  if (alt === null || alt === '' || alt === 'json') return 'json-array';
  if (alt === 'sse') return 'sse';
  throw invalidRequest(
    `alt=${JSON.stringify(alt)} is not supported: use alt=sse for server-sent events, or leave alt out for a JSON array`,
    'alt',
  );
}
