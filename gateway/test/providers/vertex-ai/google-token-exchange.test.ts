// The token endpoint's answers -> an access token or a classified failure.

import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { UpstreamFailureKind } from '../../../src/errors/upstream-failure.js';
import { parseTokenResponse, tokenEndpointFailure } from '../../../src/providers/vertex-ai/google-token-exchange.js';
import { providerFixturePath } from '../../support/repo-paths.js';

describe('parseTokenResponse', () => {
  it('reads access_token and expires_in', () => {
    expect(parseTokenResponse(200, JSON.stringify({ access_token: 'ya29.abc', expires_in: 3599, token_type: 'Bearer' }))).toEqual({
      accessToken: 'ya29.abc',
      expiresInSeconds: 3599,
    });
  });
  it('assumes an hour when expires_in is missing', () => {
    expect(parseTokenResponse(200, JSON.stringify({ access_token: 'ya29.abc' })).expiresInSeconds).toBe(3600);
  });
  const broken: Array<[string, string, UpstreamFailureKind, string]> = [
    ['not JSON', '<html>', 'ServerError', 'not JSON'],
    ['no access_token', JSON.stringify({ expires_in: 3600 }), 'ServerError', 'without an access_token'],
    ['not a bearer token', JSON.stringify({ access_token: 'x', token_type: 'MAC' }), 'AuthError', 'not a Bearer token'],
  ];
  it.each(broken)('%s', (_name, text, kind, message) => {
    let thrown: unknown;
    try {
      parseTokenResponse(200, text);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { kind?: unknown }).kind).toBe(kind);
    expect((thrown as Error).message).toContain(message);
  });
});

describe('tokenEndpointFailure', () => {
  const invalidGrant = readFileSync(providerFixturePath('vertex-ai', 'google-oauth-invalid-grant.json'), 'utf8');
  const cases: Array<[string, number, string, UpstreamFailureKind, string]> = [
    ['invalid_grant', 400, invalidGrant, 'AuthError', 'HTTP 400: invalid_grant: Invalid JWT Signature.'],
    [
      'unauthorized_client',
      401,
      JSON.stringify({
        error: 'unauthorized_client',
        error_description: 'Client is unauthorized to retrieve access tokens using this method.',
      }),
      'AuthError',
      'unauthorized_client: Client is unauthorized',
    ],
    ['disabled account', 403, JSON.stringify({ error: 'access_denied' }), 'AuthError', 'HTTP 403: access_denied'],
    ['rate limited', 429, '', 'RateLimited', 'HTTP 429'],
    ['unavailable', 503, JSON.stringify({ error: 'temporarily_unavailable' }), 'ServerError', 'temporarily_unavailable'],
    ['a proxy page', 502, 'Bad Gateway', 'ServerError', 'HTTP 502: Bad Gateway'],
  ];
  it.each(cases)('%s', (_name, status, body, kind, message) => {
    const failure = tokenEndpointFailure(status, {}, body);
    expect(failure.kind).toBe(kind);
    expect(failure.message).toContain(message);
  });
});
