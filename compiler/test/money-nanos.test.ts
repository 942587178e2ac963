import { describe, expect, it } from '@jest/globals';
import { formatNanosAsUsd, parseMoneyNanos } from '../src/index.js';

describe('money in nano-dollars', () => {
  it.each([
    ['0', 0n],
    ['2.50', 2_500_000_000n],
    ['0.000000001', 1n],
    ['500.00', 500_000_000_000n],
    ['123.4567', 123_456_700_000n],
    ['99999999999999999999.999999999', 99_999_999_999_999_999_999_999_999_999n],
  ])('%s -> %s', (text, nanos) => {
    expect(parseMoneyNanos(text)).toBe(nanos);
  });

  it('adds without float drift (0.1 + 0.2)', () => {
    expect(formatNanosAsUsd(parseMoneyNanos('0.1') + parseMoneyNanos('0.2'))).toBe('0.3');
  });

  it.each(['', '1.', '.5', '-1', '1e3', '1.0000000001', ' 1', '1,5'])('rejects %j', (text) => {
    expect(() => parseMoneyNanos(text)).toThrow(/invalid amount/);
  });

  it.each([
    [0n, '0'],
    [2_500_000_000n, '2.5'],
    [1n, '0.000000001'],
    [-1_250_000_000n, '-1.25'],
  ])('formats %s as %s', (nanos, text) => {
    expect(formatNanosAsUsd(nanos)).toBe(text);
  });
});
