// Budget periods start at 00:00 UTC: Daily, Weekly from Monday, Monthly on the 1st, Total never resets.
import { describe, expect, it } from '@jest/globals';
import { budgetPeriodStartMs, nextBudgetPeriodStartMs, secondsUntilBudgetReset, type BudgetPeriod } from '@switchyard/compiler';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('budget periods', () => {
  it.each<[BudgetPeriod, string, string, string | undefined]>([
    ['Daily', '2026-11-25T23:59:59.999Z', '2026-11-25T00:00:00.000Z', '2026-11-26T00:00:00.000Z'],
    ['Daily', '2026-11-26T00:00:00.000Z', '2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z'],
    // 2026-11-25 is a Wednesday; its week began Monday 2026-11-23
    ['Weekly', '2026-11-25T12:00:00.000Z', '2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
    ['Weekly', '2026-11-29T23:59:59.999Z', '2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'], // Sunday
    ['Weekly', '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z'], // Monday
    ['Weekly', '2027-01-01T08:00:00.000Z', '2026-12-28T00:00:00.000Z', '2027-01-04T00:00:00.000Z'], // across the year
    ['Monthly', '2026-11-30T23:59:59.999Z', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['Monthly', '2026-12-15T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['Monthly', '2028-02-29T12:00:00.000Z', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'], // leap year
    ['Total', '2026-11-25T12:00:00.000Z', '1970-01-01T00:00:00.000Z', undefined],
  ])('%s at %s starts %s and resets %s', (period, now, start, next) => {
    expect(iso(budgetPeriodStartMs(period, at(now)))).toBe(start);
    expect(iso(nextBudgetPeriodStartMs(period, at(now)))).toBe(next);
  });

  it('counts whole seconds to the reset for retry-after, at least one', () => {
    expect(secondsUntilBudgetReset('Daily', at('2026-11-25T23:59:00.000Z'))).toBe(60);
    expect(secondsUntilBudgetReset('Daily', at('2026-11-25T23:59:59.500Z'))).toBe(1);
    expect(secondsUntilBudgetReset('Total', at('2026-11-25T23:59:00.000Z'))).toBeUndefined();
  });
});
