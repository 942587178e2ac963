import { describe, expect, it } from '@jest/globals';
import { GatewayError, type GatewayErrorKind } from '../../../src/errors/gateway-error.js';
import { anthropicMessagesFrontDoor } from '../../../src/frontdoors/anthropic-messages/index.js';

describe("anthropic front door: every gateway error kind in Anthropic's error shape", () => {
  const cases: Array<[GatewayErrorKind, number, string]> = [
    ['invalid_request', 400, 'invalid_request_error'],
    ['authentication', 401, 'authentication_error'],
    ['permission', 403, 'permission_error'],
    ['not_found', 404, 'not_found_error'],
    ['payload_too_large', 413, 'request_too_large'],
    ['rate_limited', 429, 'rate_limit_error'],
    ['budget_exceeded', 429, 'rate_limit_error'],
    ['upstream_failed', 502, 'api_error'],
    ['no_backend', 503, 'overloaded_error'],
    ['upstream_timeout', 504, 'timeout_error'],
    ['internal', 500, 'api_error'],
  ];

  it.each(cases)('%s -> %i %s', (kind, status, type) => {
    const encoded = anthropicMessagesFrontDoor.encodeError(new GatewayError(kind, `something about ${kind}`));
    expect(encoded.status).toBe(status);
    expect(encoded.headers['content-type']).toBe('application/json');
    expect(JSON.parse(encoded.body)).toEqual({ type: 'error', error: { type, message: `something about ${kind}` } });
  });

  it('an upstream 422 passes through with its status as invalid_request_error', () => {
    const encoded = anthropicMessagesFrontDoor.encodeError(new GatewayError('upstream_bad_request', 'bad schema', { status: 422 }));
    expect(encoded.status).toBe(422);
    expect(JSON.parse(encoded.body)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'bad schema' } });
  });

  it('rate limits carry retry-after in whole seconds', () => {
    const encoded = anthropicMessagesFrontDoor.encodeError(new GatewayError('rate_limited', 'slow down', { retryAfterSeconds: 2.2 }));
    expect(encoded.headers['retry-after']).toBe('3');
    expect(encoded.headers['x-should-retry']).toBeUndefined();
  });

  it('an exhausted budget tells SDKs not to retry (x-should-retry: false)', () => {
    const encoded = anthropicMessagesFrontDoor.encodeError(
      new GatewayError('budget_exceeded', 'budget payments-monthly is exhausted', { code: 'budget_exceeded' }),
    );
    expect(encoded.status).toBe(429);
    expect(encoded.headers['x-should-retry']).toBe('false');
  });

  it('extra headers on the error (x-ratelimit-*) are kept', () => {
    const encoded = anthropicMessagesFrontDoor.encodeError(
      new GatewayError('rate_limited', 'x', { headers: { 'x-ratelimit-remaining-requests': '0' } }),
    );
    expect(encoded.headers['x-ratelimit-remaining-requests']).toBe('0');
  });

  it('a stream error frame is `event: error` with the same body', () => {
    const encoder = anthropicMessagesFrontDoor.createStreamEncoder('claude', { requestId: 'req-1' });
    const frame = encoder.error(new GatewayError('upstream_failed', 'upstream stream failed after it began'));
    expect(frame.startsWith('event: error\ndata: ')).toBe(true);
    expect(JSON.parse(frame.slice('event: error\ndata: '.length).trim())).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'upstream stream failed after it began' },
      request_id: 'req-1',
    });
  });
});
