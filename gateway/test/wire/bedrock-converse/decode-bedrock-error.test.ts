import { describe, expect, it } from '@jest/globals';
import { decodeBedrockError, decodeBedrockStreamException } from '../../../src/wire/bedrock-converse/decode-bedrock-error.js';

const SUFFIX = ':http://internal.amazon.com/coral/com.amazon.bedrock/';

describe('decodeBedrockError', () => {
  it.each([
    [429, 'ThrottlingException', 'RateLimited'],
    [400, 'ServiceQuotaExceededException', 'RateLimited'],
    [400, 'ValidationException', 'BadRequest'],
    [403, 'AccessDeniedException', 'AuthError'],
    [403, 'UnrecognizedClientException', 'AuthError'],
    [403, 'InvalidSignatureException', 'AuthError'],
    [403, 'ExpiredTokenException', 'AuthError'],
    [403, 'MissingAuthenticationTokenException', 'AuthError'],
    [404, 'ResourceNotFoundException', 'NotFound'],
    [429, 'ModelNotReadyException', 'ServerError'],
    [424, 'ModelErrorException', 'ServerError'],
    [503, 'ServiceUnavailableException', 'ServerError'],
    [500, 'InternalServerException', 'ServerError'],
    [408, 'ModelTimeoutException', 'Timeout'],
  ])('%i %s -> %s', (status, type, kind) => {
    const failure = decodeBedrockError(status, { 'x-amzn-errortype': `${type}${SUFFIX}` }, JSON.stringify({ message: 'details here' }));
    expect(failure.kind).toBe(kind);
    expect(failure.status).toBe(status);
    expect(failure.message).toBe(`${type}: details here`);
  });

  it('falls back to the body __type, then to the status', () => {
    expect(
      decodeBedrockError(400, {}, JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', Message: 'bad' })),
    ).toMatchObject({
      kind: 'BadRequest',
      message: 'ValidationException: bad',
    });
    expect(decodeBedrockError(502, {}, 'Bad Gateway')).toMatchObject({ kind: 'ServerError', message: 'Bad Gateway' });
    expect(decodeBedrockError(418, {}, '')).toMatchObject({ kind: 'Other', message: 'HTTP 418' });
  });

  it('carries retry-after', () => {
    const failure = decodeBedrockError(
      429,
      { 'x-amzn-errortype': 'ThrottlingException', 'retry-after': '3' },
      '{"message":"Too many requests, please wait before trying again."}',
    );
    expect(failure.retryAfterMs).toBe(3000);
  });

  it("drops AWS's canonical-request echo, which includes the session token, and redacts key ids", () => {
    const message =
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Key AKIAIOSFODNN7EXAMPLE.' +
      "\n\nThe Canonical String for this request should have been\n'POST\n/model/x/converse\n\nhost:h\nx-amz-date:20240101T000000Z\nx-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLETOKEN\n'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256...'";
    const failure = decodeBedrockError(403, { 'x-amzn-errortype': 'InvalidSignatureException' }, JSON.stringify({ message }));
    expect(failure.kind).toBe('AuthError');
    expect(failure.message).not.toContain('IQoJb3JpZ2luX2VjEXAMPLETOKEN');
    expect(failure.message).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(failure.message).not.toContain('Canonical String');
    expect(failure.message).toMatch(/^InvalidSignatureException: The request signature we calculated/);
  });
});

describe('decodeBedrockStreamException', () => {
  it.each([
    ['throttlingException', 'RateLimited', 429],
    ['validationException', 'BadRequest', 400],
    ['internalServerException', 'ServerError', 500],
    ['serviceUnavailableException', 'ServerError', 503],
    ['modelStreamErrorException', 'ServerError', 424],
    ['somethingNewException', 'ServerError', 500],
  ])('%s -> %s', (type, kind, status) => {
    const failure = decodeBedrockStreamException(type, '{"message":"went wrong"}');
    expect(failure).toMatchObject({ kind, status, message: `${type}: went wrong` });
  });
});
