// Vertex answers errors in Google's envelope, or in Anthropic's when a Claude model answered;
// each is classified by its own rules.

import { describe, expect, it } from '@jest/globals';
import type { UpstreamFailureKind } from '../../../src/errors/upstream-failure.js';
import { decodeVertexAIError } from '../../../src/providers/vertex-ai/vertex-ai-errors.js';

describe('decodeVertexAIError', () => {
  const cases: Array<[string, number, string, UpstreamFailureKind, string]> = [
    [
      'Google 429 quota',
      429,
      JSON.stringify({
        error: {
          code: 429,
          status: 'RESOURCE_EXHAUSTED',
          message: 'Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model.',
        },
      }),
      'RateLimited',
      'Quota exceeded',
    ],
    [
      'Google 403 IAM',
      403,
      JSON.stringify({
        error: { code: 403, status: 'PERMISSION_DENIED', message: "Permission 'aiplatform.endpoints.predict' denied on resource" },
      }),
      'AuthError',
      "Permission 'aiplatform.endpoints.predict' denied",
    ],
    [
      'Google 401 token',
      401,
      JSON.stringify({ error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } }),
      'AuthError',
      'invalid authentication credentials',
    ],
    [
      'Google 404 model',
      404,
      JSON.stringify({
        error: {
          code: 404,
          status: 'NOT_FOUND',
          message: 'Publisher Model `projects/p/locations/us-central1/publishers/google/models/gemini-9` was not found.',
        },
      }),
      'NotFound',
      'was not found',
    ],
    [
      'Google 400',
      400,
      JSON.stringify({ error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid value at contents[0]' } }),
      'BadRequest',
      'Invalid value at contents[0]',
    ],
    [
      'Anthropic overloaded',
      529,
      JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      'ServerError',
      'Overloaded',
    ],
    [
      'Anthropic bad request',
      400,
      JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } }),
      'BadRequest',
      'max_tokens: Field required',
    ],
    [
      'Anthropic rate limit',
      429,
      JSON.stringify({
        type: 'error',
        error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' },
      }),
      'RateLimited',
      'per-minute rate limit',
    ],
    ['a proxy page', 502, '<html><body>Bad Gateway</body></html>', 'ServerError', 'Vertex AI returned HTTP 502: <html>'],
    ['an empty body', 503, '', 'ServerError', 'Vertex AI returned HTTP 503'],
  ];
  it.each(cases)('%s', (_name, status, body, kind, message) => {
    const failure = decodeVertexAIError(status, {}, body);
    expect(failure.kind).toBe(kind);
    expect(failure.status).toBe(status);
    expect(failure.message).toContain(message);
  });

  it("keeps Google's RetryInfo delay", () => {
    const body = JSON.stringify({
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'Quota exceeded',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }],
      },
    });
    expect(decodeVertexAIError(429, {}, body).retryAfterMs).toBe(12_000);
  });
});
