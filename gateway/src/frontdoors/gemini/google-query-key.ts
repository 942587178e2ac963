// Google's API accepts the key as `?key=` as well as in `x-goog-api-key`; some clients (curl
// examples, older SDKs, browser code) use the query. For Gemini paths the public handler moves it
// into the header (only when the caller sent no credential header), so the authenticate stage
// reads credentials from one place and the key goes nowhere else: URLs are never logged, and
// caller headers are never forwarded upstream.

import type { IncomingHttpHeaders } from 'node:http';

const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key'] as const;

export function adoptGoogleQueryKey(headers: IncomingHttpHeaders, query: URLSearchParams | undefined): void {
  const key = query?.get('key');
  if (key === undefined || key === null || key === '') return;
  if (CREDENTIAL_HEADERS.some((name) => headers[name] !== undefined)) return;
  headers['x-goog-api-key'] = key;
}
