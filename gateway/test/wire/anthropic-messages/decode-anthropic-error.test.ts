import { describe, expect, it } from '@jest/globals';
import { decodeAnthropicError, decodeAnthropicStreamError } from '../../../src/wire/anthropic-messages/decode-anthropic-error.js';
import type { UpstreamFailureKind } from '../../../src/errors/upstream-failure.js';

function errorBody(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_011' });
}

describe('decodeAnthropicError', () => {
  const cases: Array<{ status: number; type: string; message: string; kind: UpstreamFailureKind }> = [
    { status: 400, type: 'invalid_request_error', message: 'messages: roles must alternate', kind: 'BadRequest' },
    { status: 413, type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.', kind: 'BadRequest' },
    { status: 401, type: 'authentication_error', message: 'invalid x-api-key', kind: 'AuthError' },
    { status: 403, type: 'permission_error', message: 'Your API key does not have permission', kind: 'AuthError' },
    { status: 402, type: 'billing_error', message: 'Your credit balance is too low', kind: 'AuthError' },
    { status: 404, type: 'not_found_error', message: 'model: claude-nope', kind: 'NotFound' },
    {
      status: 429,
      type: 'rate_limit_error',
      message: 'Number of request tokens has exceeded your per-minute rate limit',
      kind: 'RateLimited',
    },
    { status: 500, type: 'api_error', message: 'Internal server error', kind: 'ServerError' },
    { status: 504, type: 'timeout_error', message: 'Request timed out', kind: 'Timeout' },
    { status: 529, type: 'overloaded_error', message: 'Overloaded', kind: 'ServerError' },
    // The error type decides, not the status: a type Anthropic adds later falls back to the status.
    { status: 503, type: 'brand_new_error', message: 'New failure', kind: 'ServerError' },
    { status: 400, type: 'constructor', message: 'prototype keys are not error types', kind: 'BadRequest' },
  ];

  it.each(cases)('$status $type -> $kind', ({ status, type, message, kind }) => {
    const failure = decodeAnthropicError(status, {}, errorBody(type, message));
    expect(failure.kind).toBe(kind);
    expect(failure.status).toBe(status);
    expect(failure.message).toBe(message);
    expect(failure.retryAfterMs).toBeUndefined();
  });

  it('429 carries retry-after (seconds) as milliseconds', () => {
    const failure = decodeAnthropicError(429, { 'retry-after': '7' }, errorBody('rate_limit_error', 'slow down'));
    expect(failure.kind).toBe('RateLimited');
    expect(failure.retryAfterMs).toBe(7000);
  });

  it('529 overloaded with retry-after', () => {
    const failure = decodeAnthropicError(529, { 'retry-after': '2' }, errorBody('overloaded_error', 'Overloaded'));
    expect(failure.kind).toBe('ServerError');
    expect(failure.retryAfterMs).toBe(2000);
  });

  it('a body that is not Anthropic JSON falls back to the status and quotes the start of the body', () => {
    const failure = decodeAnthropicError(502, {}, `<html><body>Bad Gateway</body></html>${'x'.repeat(500)}`);
    expect(failure.kind).toBe('ServerError');
    expect(failure.message).toMatch(/^anthropic answered HTTP 502: <html><body>Bad Gateway/);
    expect(failure.message.length).toBeLessThan(260);
  });

  it('an empty body names the status', () => {
    const failure = decodeAnthropicError(503, {}, '');
    expect(failure.kind).toBe('ServerError');
    expect(failure.message).toBe('anthropic answered HTTP 503');
  });

  it('an upstream message that echoes a key is redacted', () => {
    const failure = decodeAnthropicError(
      401,
      {},
      errorBody('authentication_error', 'invalid x-api-key sk-ant-api03-abcdefghijklmnopqrstuvwxyz'),
    );
    expect(failure.message).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(failure.message).toContain('[REDACTED]');
  });
});

describe('decodeAnthropicStreamError', () => {
  const cases: Array<{ type: string; kind: UpstreamFailureKind; status: number }> = [
    { type: 'overloaded_error', kind: 'ServerError', status: 529 },
    { type: 'api_error', kind: 'ServerError', status: 500 },
    { type: 'rate_limit_error', kind: 'RateLimited', status: 429 },
    { type: 'invalid_request_error', kind: 'BadRequest', status: 400 },
    { type: 'mystery_error', kind: 'ServerError', status: 500 },
  ];

  it.each(cases)('event: error $type -> $kind with the documented status $status', ({ type, kind, status }) => {
    const failure = decodeAnthropicStreamError({ type, message: 'boom' });
    expect(failure.kind).toBe(kind);
    expect(failure.status).toBe(status);
    expect(failure.message).toBe('boom');
  });
});
