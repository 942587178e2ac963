// The budgets view's projection: Budget status holds the period's spend, not a history, so
// exhaustion is projected at the period's average rate so far (docs/console.md).
import { describe, expect, it } from '@jest/globals';
import type { CrObject } from '../../src/reconcile/kind-watches.js';
import { projectBudget } from '../../src/console/console-views.js';

function budget(limit: string, period: string, spent?: string): CrObject {
  return {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'Budget',
    metadata: { name: 'b', namespace: 'ns' },
    spec: { limit, period, selector: {} },
    ...(spent === undefined ? {} : { status: { spent } }),
  };
}

const JUNE_11_NOON = Date.UTC(2026, 5, 11, 12); // 10.5 days into a 30-day June

describe('projectBudget', () => {
  it('projects exhaustion at the average rate of the period so far', () => {
    // $50 of $100 in 10.5 days: $100 is reached after 21 days, on June 22 at 00:00.
    const p = projectBudget(budget('100', 'Monthly', '50'), JUNE_11_NOON);
    expect(p?.periodStartMs).toBe(Date.UTC(2026, 5, 1));
    expect(p?.periodEndMs).toBe(Date.UTC(2026, 6, 1));
    expect(p?.exhaustionMs).toBe(Date.UTC(2026, 5, 22));
  });

  it('says nothing when the rate does not reach the limit before the period ends', () => {
    expect(projectBudget(budget('100', 'Monthly', '10'), JUNE_11_NOON)?.exhaustionMs).toBeUndefined();
    expect(projectBudget(budget('100', 'Monthly'), JUNE_11_NOON)?.exhaustionMs).toBeUndefined();
  });

  it('reports a reached limit as now, and projects a Total budget without an end', () => {
    expect(projectBudget(budget('1', 'Daily', '1.5'), JUNE_11_NOON)?.exhaustionMs).toBe(JUNE_11_NOON);
    const total = projectBudget(budget('100', 'Total', '50'), JUNE_11_NOON);
    expect(total?.periodEndMs).toBeUndefined();
    expect(total?.exhaustionMs).toBe(2 * JUNE_11_NOON);
  });

  it('skips a budget without a usable limit or period', () => {
    expect(projectBudget(budget('abc', 'Monthly', '1'), JUNE_11_NOON)).toBeUndefined();
    expect(projectBudget(budget('10', 'Hourly', '1'), JUNE_11_NOON)).toBeUndefined();
  });
});
