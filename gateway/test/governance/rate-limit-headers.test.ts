// x-ratelimit-* headers in OpenAI's names and duration syntax.
import { describe, expect, it } from '@jest/globals';
import { formatResetDuration, rateLimitHeaders } from '../../src/governance/rate-limit/rate-limit-headers.js';

describe('rate-limit headers', () => {
  it.each<[number, string]>([
    [0, '0ms'],
    [120, '120ms'],
    [999.2, '1s'],
    [1000, '1s'],
    [8640, '8.64s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [86_400, '1m26.4s'],
    [360_000, '6m0s'],
  ])('%s ms -> %s', (ms, text) => {
    expect(formatResetDuration(ms)).toBe(text);
  });

  it('names limit, remaining and reset for requests and tokens', () => {
    expect(
      rateLimitHeaders({
        requests: { limit: 100, remaining: 99, resetMs: 600 },
        tokens: { limit: 5000, remaining: 4200, resetMs: 12_000 },
      }),
    ).toEqual({
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '99',
      'x-ratelimit-reset-requests': '600ms',
      'x-ratelimit-limit-tokens': '5000',
      'x-ratelimit-remaining-tokens': '4200',
      'x-ratelimit-reset-tokens': '12s',
    });
  });

  it('sends only the limits a key has', () => {
    expect(rateLimitHeaders({ tokens: { limit: 10, remaining: 0, resetMs: 0 } })).toEqual({
      'x-ratelimit-limit-tokens': '10',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '0ms',
    });
    expect(rateLimitHeaders({})).toBeUndefined();
  });
});
