import { describe, expect, it } from '@jest/globals';
import { parseDurationMs } from '../src/index.js';

describe('Go-style durations', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['0s', 0],
    ['0.0001ms', 1],
    ['2m0.5s', 120_500],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', '30', 's', '5 s', '-1s', '1d', '1us', '1.s', 'PT30S'])('rejects %j', (text) => {
    expect(() => parseDurationMs(text)).toThrow(/invalid duration/);
  });
});
