import { describe, expect, it } from '@jest/globals';
import { decodeGeminiError, parseGoogleDuration } from '../../../src/wire/gemini/decode-gemini-error.js';
import type { UpstreamFailureKind } from '../../../src/errors/upstream-failure.js';
import { readFileSync } from 'node:fs';
import { wireFixturePath } from '../../support/repo-paths.js';

function googleError(code: number, status: string, message: string, details: unknown[] = []): string {
  return JSON.stringify({ error: { code, message, status, details } });
}

describe('decodeGeminiError', () => {
  it('capture google-429-retry-info: RateLimited with retryAfterMs from RetryInfo.retryDelay', () => {
    const failure = decodeGeminiError(429, {}, readFileSync(wireFixturePath('gemini', 'google-429-retry-info.json'), 'utf8'));
    expect(failure.kind).toBe('RateLimited');
    expect(failure.status).toBe(429);
    expect(failure.retryAfterMs).toBe(34400);
    expect(failure.message).toBe('You exceeded your current quota, please check your plan.');
  });

  it.each<[string, number, string, UpstreamFailureKind, unknown[]]>([
    ['INVALID_ARGUMENT', 400, 'Invalid value at contents[0]', 'BadRequest', []],
    ['FAILED_PRECONDITION', 400, 'User location is not supported for the API use.', 'BadRequest', []],
    [
      'INVALID_ARGUMENT with API_KEY_INVALID is a credential problem',
      400,
      'API key not valid. Please pass a valid API key.',
      'AuthError',
      [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
    ],
    ['UNAUTHENTICATED', 401, 'Request had invalid authentication credentials.', 'AuthError', []],
    ['PERMISSION_DENIED', 403, 'The caller does not have permission', 'AuthError', []],
    ['NOT_FOUND', 404, 'models/gemini-9 is not found for API version v1beta', 'NotFound', []],
    ['RESOURCE_EXHAUSTED', 429, 'Resource has been exhausted', 'RateLimited', []],
    ['INTERNAL', 500, 'An internal error has occurred.', 'ServerError', []],
    ['UNAVAILABLE', 503, 'The model is overloaded. Please try again later.', 'ServerError', []],
    ['DEADLINE_EXCEEDED', 504, 'Deadline expired before operation could complete.', 'Timeout', []],
  ])('%s', (status, code, message, kind, details) => {
    const failure = decodeGeminiError(code, {}, googleError(code, status.split(' ')[0] as string, message, details));
    expect(failure.kind).toBe(kind);
    expect(failure.status).toBe(code);
    expect(failure.message).toBe(message);
  });

  it('takes the field of a BadRequest violation as param', () => {
    const body = googleError(400, 'INVALID_ARGUMENT', 'bad temperature', [
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'generation_config.temperature', description: 'out of range' }],
      },
    ]);
    expect(decodeGeminiError(400, {}, body).param).toBe('generation_config.temperature');
  });

  it('falls back to retry-after when RetryInfo is absent', () => {
    expect(decodeGeminiError(429, { 'retry-after': '3' }, googleError(429, 'RESOURCE_EXHAUSTED', 'slow down')).retryAfterMs).toBe(3000);
  });

  it('reads the array form of JSON-array streams', () => {
    const failure = decodeGeminiError(503, {}, `[${googleError(503, 'UNAVAILABLE', 'overloaded')}]`);
    expect(failure.kind).toBe('ServerError');
    expect(failure.message).toBe('overloaded');
  });

  it('classifies a non-JSON body by status and keeps an excerpt without secrets', () => {
    const failure = decodeGeminiError(502, {}, '<html>Bad Gateway for key AIzaSyA1234567890abcdefghijklmnopqrstuv</html>');
    expect(failure.kind).toBe('ServerError');
    expect(failure.message).toContain('Bad Gateway');
    expect(failure.message).not.toContain('AIzaSy');
  });

  it('redacts a key echoed in a Google message', () => {
    const failure = decodeGeminiError(
      400,
      {},
      googleError(400, 'INVALID_ARGUMENT', 'key AIzaSyA1234567890abcdefghijklmnopqrstuv rejected'),
    );
    expect(failure.message).not.toContain('AIzaSy');
  });
});

describe('parseGoogleDuration', () => {
  it.each<[string, number | undefined]>([
    ['34.4s', 34400],
    ['1s', 1000],
    ['0.250s', 250],
    ['0.0001s', 1],
    ['12', undefined],
    ['abc', undefined],
  ])('%s -> %s', (text, ms) => {
    expect(parseGoogleDuration(text)).toBe(ms);
  });
});
