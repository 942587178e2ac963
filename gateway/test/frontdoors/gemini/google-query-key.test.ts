import { describe, expect, it } from '@jest/globals';
import type { IncomingHttpHeaders } from 'node:http';
import { adoptGoogleQueryKey } from '../../../src/frontdoors/gemini/google-query-key.js';

describe('Gemini front door: ?key= as the credential', () => {
  it.each<[string, IncomingHttpHeaders, string, IncomingHttpHeaders]>([
    ['the query key becomes x-goog-api-key', {}, 'key=sk-sy-abc', { 'x-goog-api-key': 'sk-sy-abc' }],
    ['no key in the query changes nothing', {}, 'alt=sse', {}],
    ['an empty key changes nothing', {}, 'key=', {}],
    ['x-goog-api-key wins', { 'x-goog-api-key': 'header-key' }, 'key=query-key', { 'x-goog-api-key': 'header-key' }],
    ['Authorization wins', { authorization: 'Bearer header-key' }, 'key=query-key', { authorization: 'Bearer header-key' }],
    ['x-api-key wins', { 'x-api-key': 'header-key' }, 'key=query-key', { 'x-api-key': 'header-key' }],
  ])('%s', (_name, headers, query, expected) => {
    adoptGoogleQueryKey(headers, new URLSearchParams(query));
    expect(headers).toEqual(expected);
  });

  it('no query at all changes nothing', () => {
    const headers: IncomingHttpHeaders = {};
    adoptGoogleQueryKey(headers, undefined);
    expect(headers).toEqual({});
  });
});
