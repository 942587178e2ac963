import { describe, expect, it } from '@jest/globals';
import { GatewayError, type GatewayErrorKind } from '../../../src/errors/gateway-error.js';
import { encodeOpenAIError } from '../../../src/wire/openai-chat/encode-openai-error.js';
import { openAISchemaErrors } from '../../frontdoors/openai-chat/openai-schema-validator.js';

describe('OpenAI front door: errors', () => {
  const cases: Array<[GatewayErrorKind, number, string, string | null]> = [
    ['invalid_request', 400, 'invalid_request_error', null],
    ['authentication', 401, 'authentication_error', 'invalid_api_key'],
    ['permission', 403, 'permission_error', null],
    ['not_found', 404, 'not_found_error', 'model_not_found'],
    ['payload_too_large', 413, 'invalid_request_error', 'request_too_large'],
    ['rate_limited', 429, 'rate_limit_error', 'rate_limit_exceeded'],
    ['budget_exceeded', 429, 'insufficient_quota', 'budget_exceeded'],
    ['upstream_failed', 502, 'api_error', 'upstream_failed'],
    ['no_backend', 503, 'api_error', 'no_backend_available'],
    ['upstream_timeout', 504, 'timeout_error', 'upstream_timeout'],
    ['internal', 500, 'api_error', null],
  ];

  it.each(cases)('%s -> %i %s', (kind, status, type, code) => {
    const encoded = encodeOpenAIError(new GatewayError(kind, `message for ${kind}`));
    expect(encoded.status).toBe(status);
    expect(encoded.headers['content-type']).toBe('application/json');
    const body = JSON.parse(encoded.body) as unknown;
    expect(body).toEqual({ error: { message: `message for ${kind}`, type, code, param: null } });
    expect(openAISchemaErrors('ErrorResponse', body)).toEqual([]);
  });

  it('names the field and keeps an explicit code', () => {
    const encoded = encodeOpenAIError(
      new GatewayError('invalid_request', 'bad url', { param: 'messages[1].content[0].image_url.url', code: 'invalid_image_url' }),
    );
    expect(JSON.parse(encoded.body)).toEqual({
      error: {
        message: 'bad url',
        type: 'invalid_request_error',
        code: 'invalid_image_url',
        param: 'messages[1].content[0].image_url.url',
      },
    });
  });

  it('passes an upstream 422 through with its status', () => {
    const encoded = encodeOpenAIError(new GatewayError('upstream_bad_request', 'Extra inputs are not permitted', { status: 422 }));
    expect(encoded.status).toBe(422);
    expect(JSON.parse(encoded.body)).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('sets retry-after in whole seconds and keeps extra headers', () => {
    const encoded = encodeOpenAIError(
      new GatewayError('rate_limited', 'slow down', { retryAfterSeconds: 1.2, headers: { 'x-ratelimit-remaining-requests': '0' } }),
    );
    expect(encoded.headers['retry-after']).toBe('2');
    expect(encoded.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(encoded.headers['x-should-retry']).toBeUndefined();
  });

  it('tells SDKs not to retry an exhausted budget', () => {
    const encoded = encodeOpenAIError(new GatewayError('budget_exceeded', 'budget payments-monthly exhausted'));
    expect(encoded.status).toBe(429);
    expect(encoded.headers['x-should-retry']).toBe('false');
  });
});
