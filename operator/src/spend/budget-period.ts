// The period a Budget's spend belongs to, all starting at 00:00 UTC: Daily, Weekly (from
// Monday), Monthly (the 1st), Total (one period from the epoch). The gateway computes the same
// starts (gateway/src/governance/budget/budget-period.ts); both sides must agree.
import type { BudgetPeriod } from '@switchyard/compiler';

const DAY_MS = 86_400_000;

export function budgetPeriodStartMs(period: BudgetPeriod, nowMs: number): number {
  if (period === 'Total') return 0;
  const dayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
  if (period === 'Daily') return dayStart;
  if (period === 'Weekly') return dayStart - ((new Date(dayStart).getUTCDay() + 6) % 7) * DAY_MS;
  const now = new Date(nowMs);
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
}
