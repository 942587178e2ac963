// Budget periods, all starting at 00:00 UTC: Daily, Weekly (from Monday), Monthly (the 1st),
// Total (one period that never resets, starting at the epoch). The gateway keys its spend by
// these starts and the operator aggregates by them, so both compute them here.
import type { BudgetPeriod } from '../generated/resource-shapes.js';

const DAY_MS = 86_400_000;

export function budgetPeriodStartMs(period: BudgetPeriod, nowMs: number): number {
  switch (period) {
    case 'Total':
      return 0;
    case 'Daily':
      return Math.floor(nowMs / DAY_MS) * DAY_MS;
    case 'Weekly': {
      const dayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
      // getUTCDay: Sunday 0 ... Saturday 6; days since Monday is (day + 6) % 7.
      const daysSinceMonday = (new Date(dayStart).getUTCDay() + 6) % 7;
      return dayStart - daysSinceMonday * DAY_MS;
    }
    case 'Monthly': {
      const now = new Date(nowMs);
      return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    }
  }
}

/** When the period containing `nowMs` ends; undefined for Total, which never resets. */
export function nextBudgetPeriodStartMs(period: BudgetPeriod, nowMs: number): number | undefined {
  switch (period) {
    case 'Total':
      return undefined;
    case 'Daily':
      return budgetPeriodStartMs('Daily', nowMs) + DAY_MS;
    case 'Weekly':
      return budgetPeriodStartMs('Weekly', nowMs) + 7 * DAY_MS;
    case 'Monthly': {
      const now = new Date(nowMs);
      return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    }
  }
}

/** Whole seconds until the period resets (at least 1), for `retry-after`. */
export function secondsUntilBudgetReset(period: BudgetPeriod, nowMs: number): number | undefined {
  const next = nextBudgetPeriodStartMs(period, nowMs);
  return next === undefined ? undefined : Math.max(1, Math.ceil((next - nowMs) / 1000));
}
