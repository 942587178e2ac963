import { describe, expect, it } from '@jest/globals';
import {
  encodeAnthropicError,
  formatAnthropicStreamError,
  parseAnthropicErrorBody,
} from '../../../src/wire/anthropic-messages/anthropic-error-body.js';
import { GatewayError, type GatewayErrorKind } from '../../../src/errors/gateway-error.js';

describe('encodeAnthropicError', () => {
  const cases: Array<{ kind: GatewayErrorKind; status: number; type: string }> = [
    { kind: 'invalid_request', status: 400, type: 'invalid_request_error' },
    { kind: 'authentication', status: 401, type: 'authentication_error' },
    { kind: 'permission', status: 403, type: 'permission_error' },
    { kind: 'not_found', status: 404, type: 'not_found_error' },
    { kind: 'payload_too_large', status: 413, type: 'request_too_large' },
    { kind: 'rate_limited', status: 429, type: 'rate_limit_error' },
    { kind: 'budget_exceeded', status: 429, type: 'rate_limit_error' },
    { kind: 'upstream_failed', status: 502, type: 'api_error' },
    { kind: 'no_backend', status: 503, type: 'overloaded_error' },
    { kind: 'upstream_timeout', status: 504, type: 'timeout_error' },
    { kind: 'internal', status: 500, type: 'api_error' },
  ];

  it.each(cases)('$kind -> $status $type', ({ kind, status, type }) => {
    const encoded = encodeAnthropicError(new GatewayError(kind, `failed: ${kind}`));
    expect(encoded.status).toBe(status);
    expect(encoded.headers['content-type']).toBe('application/json');
    expect(JSON.parse(encoded.body)).toEqual({ type: 'error', error: { type, message: `failed: ${kind}` } });
  });

  it('an upstream 400/422 passes through with its status as invalid_request_error', () => {
    const encoded = encodeAnthropicError(new GatewayError('upstream_bad_request', 'messages: bad', { status: 422 }));
    expect(encoded.status).toBe(422);
    expect(JSON.parse(encoded.body).error.type).toBe('invalid_request_error');
  });

  it('rate limits carry retry-after in whole seconds; budgets tell SDKs not to retry', () => {
    expect(encodeAnthropicError(new GatewayError('rate_limited', 'slow', { retryAfterSeconds: 1.2 })).headers['retry-after']).toBe('2');
    const budget = encodeAnthropicError(new GatewayError('budget_exceeded', 'budget payments-monthly exhausted'));
    expect(budget.headers['x-should-retry']).toBe('false');
  });

  it('extra headers of the error are kept and the request id goes into the body', () => {
    const encoded = encodeAnthropicError(
      new GatewayError('rate_limited', 'slow', { headers: { 'x-ratelimit-limit-requests': '10' } }),
      'req_1',
    );
    expect(encoded.headers['x-ratelimit-limit-requests']).toBe('10');
    expect(JSON.parse(encoded.body).request_id).toBe('req_1');
  });

  it('round-trips through parseAnthropicErrorBody', () => {
    const encoded = encodeAnthropicError(new GatewayError('not_found', 'model x not found'), 'req_2');
    expect(parseAnthropicErrorBody(encoded.body)).toEqual({ type: 'not_found_error', message: 'model x not found', requestId: 'req_2' });
  });
});

describe('formatAnthropicStreamError', () => {
  it('is an `event: error` frame with the error JSON', () => {
    expect(formatAnthropicStreamError(new GatewayError('upstream_failed', 'anthropic stream ended before message_stop'))).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"anthropic stream ended before message_stop"}}\n\n',
    );
  });
});

describe('parseAnthropicErrorBody', () => {
  it.each(['not json', '{"detail":"x"}', '[]', '{"error":"string"}'])('%s is not an Anthropic error', (text) => {
    expect(parseAnthropicErrorBody(text)).toBeUndefined();
  });
});
