import { describe, expect, it } from '@jest/globals';
import { encodeGoogleError } from '../../../src/wire/gemini/encode-google-error.js';
import { decodeGeminiError } from '../../../src/wire/gemini/decode-gemini-error.js';
import { GatewayError, invalidRequest } from '../../../src/errors/gateway-error.js';

describe('encodeGoogleError', () => {
  it.each<[string, GatewayError, number, string]>([
    ['bad input', invalidRequest('messages[0].content is required', 'messages[0].content'), 400, 'INVALID_ARGUMENT'],
    ['bad key', new GatewayError('authentication', 'invalid API key'), 401, 'UNAUTHENTICATED'],
    ['model not allowed', new GatewayError('permission', 'model not allowed'), 403, 'PERMISSION_DENIED'],
    ['unknown model', new GatewayError('not_found', 'no such model', { code: 'model_not_found' }), 404, 'NOT_FOUND'],
    ['too large', new GatewayError('payload_too_large', 'too big'), 413, 'INVALID_ARGUMENT'],
    ['rate limited', new GatewayError('rate_limited', 'slow down', { retryAfterSeconds: 3 }), 429, 'RESOURCE_EXHAUSTED'],
    ['upstream failed', new GatewayError('upstream_failed', 'all failed'), 502, 'UNAVAILABLE'],
    ['no backend', new GatewayError('no_backend', 'all ejected'), 503, 'UNAVAILABLE'],
    ['timeout', new GatewayError('upstream_timeout', 'too slow'), 504, 'DEADLINE_EXCEEDED'],
    ['internal', new GatewayError('internal', 'oops'), 500, 'INTERNAL'],
    ['upstream 422 passed through', new GatewayError('upstream_bad_request', 'bad', { status: 422 }), 422, 'INVALID_ARGUMENT'],
  ])('%s -> %s %s', (_name, error, status, googleStatus) => {
    const encoded = encodeGoogleError(error);
    expect(encoded.status).toBe(status);
    const body = JSON.parse(encoded.body) as { error: { code: number; status: string; message: string } };
    expect(body.error).toMatchObject({ code: status, status: googleStatus, message: error.message });
    expect(encoded.headers['content-type']).toMatch(/^application\/json/);
  });

  it('carries the field, the code and the retry delay as Google details', () => {
    const rateLimited = encodeGoogleError(
      new GatewayError('rate_limited', 'slow down', { retryAfterSeconds: 7, code: 'rate_limit_exceeded' }),
    );
    expect(rateLimited.headers['retry-after']).toBe('7');
    expect(JSON.parse(rateLimited.body).error.details).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'switchyard.dev' },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' },
    ]);
    const bad = encodeGoogleError(invalidRequest('temperature must be <= 2', 'temperature'));
    expect(JSON.parse(bad.body).error.details).toEqual([
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'temperature', description: 'temperature must be <= 2' }],
      },
    ]);
  });

  it('budget exhaustion tells SDKs not to retry', () => {
    const encoded = encodeGoogleError(
      new GatewayError('budget_exceeded', 'budget payments-monthly exhausted', { code: 'budget_exceeded' }),
    );
    expect(encoded.status).toBe(429);
    expect(encoded.headers['x-should-retry']).toBe('false');
  });

  it('what it writes, the provider side reads back with the same meaning', () => {
    const encoded = encodeGoogleError(new GatewayError('rate_limited', 'slow down', { retryAfterSeconds: 2 }));
    const failure = decodeGeminiError(encoded.status, encoded.headers, encoded.body);
    expect(failure.kind).toBe('RateLimited');
    expect(failure.retryAfterMs).toBe(2000);
  });
});
