import { describe, expect, it } from '@jest/globals';
import type { CompiledBudget } from '@switchyard/compiler';
import { applyCharges, readBudgetSpendStatus, spendStatusFields, type BudgetCharge } from '../../src/spend/budget-spend-status.js';
import { parseUsageReports } from '../../src/spend/usage-report-message.js';

const budget: CompiledBudget = {
  id: 'default/team',
  namespace: 'default',
  name: 'team',
  generation: 1,
  limitNanos: '1000',
  period: 'Daily',
  enforcement: 'Block',
};
const DAY = Date.parse('2025-03-10T00:00:00Z');
const NOON = DAY + 12 * 3_600_000;
const charge = (bootId: string, seq: number, costNanos: bigint, periodStart = new Date(DAY).toISOString()): BudgetCharge => ({
  bootId,
  seq,
  periodStart,
  costNanos,
});

describe('applyCharges', () => {
  it('adds new batches and records the last applied seq per boot', () => {
    const { next, changed } = applyCharges(
      readBudgetSpendStatus(undefined),
      budget,
      [charge('a', 1, 100n), charge('a', 2, 50n), charge('b', 1, 7n)],
      NOON,
    );
    expect(changed).toBe(true);
    expect(next.spentNanos).toBe(157n);
    expect(next.lastAppliedBatches.map((b) => [b.bootId, b.seq])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(spendStatusFields(next)).toMatchObject({ spent: '0.000000157', periodStart: '2025-03-10T00:00:00Z' });
  });

  it('never applies a batch twice (a retried report, or a re-read after 409)', () => {
    const first = applyCharges(readBudgetSpendStatus(undefined), budget, [charge('a', 1, 100n)], NOON).next;
    const written = readBudgetSpendStatus(JSON.parse(JSON.stringify(spendStatusFields(first))));
    const again = applyCharges(written, budget, [charge('a', 1, 100n), charge('a', 2, 1n)], NOON);
    expect(again.next.spentNanos).toBe(101n);
    const third = applyCharges(readBudgetSpendStatus(spendStatusFields(again.next)), budget, [charge('a', 2, 1n)], NOON);
    expect(third.next.spentNanos).toBe(101n);
    expect(third.changed).toBe(false);
  });

  it('rolls over at 00:00 UTC and drops spend of an ended period', () => {
    const yesterday = applyCharges(readBudgetSpendStatus(undefined), budget, [charge('a', 1, 900n)], NOON).next;
    const nextDay = NOON + 86_400_000;
    const { next } = applyCharges(
      readBudgetSpendStatus(spendStatusFields(yesterday)),
      budget,
      [charge('a', 2, 5n), charge('a', 3, 3n, new Date(DAY + 86_400_000).toISOString())],
      nextDay,
    );
    expect(next.spentNanos).toBe(3n);
    expect(next.periodStartMs).toBe(DAY + 86_400_000);
    expect(next.lastAppliedBatches[0]?.seq).toBe(3);
  });

  it.each([
    ['Block', 999n, 'False', 'WithinLimit'],
    ['Block', 1000n, 'True', 'LimitReached'],
    ['Warn', 1500n, 'True', 'LimitReached'],
  ] as const)('%s budget with %s spent: Exceeded=%s', (enforcement, spent, status, reason) => {
    const { next } = applyCharges(readBudgetSpendStatus(undefined), { ...budget, enforcement }, [charge('a', 1, spent)], NOON);
    expect(next.conditions.find((c) => c.type === 'Exceeded')).toMatchObject({ status, reason });
  });

  it('keeps the conditions the controller owns', () => {
    const status = {
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok', lastTransitionTime: '2025-03-01T00:00:00Z' }],
    };
    const { next } = applyCharges(readBudgetSpendStatus(status), budget, [charge('a', 1, 1n)], NOON);
    expect(next.conditions.map((c) => c.type)).toEqual(['Accepted', 'Exceeded']);
  });
});

describe('parseUsageReports', () => {
  it.each([
    [{}, 'reports must be an array'],
    [{ reports: [{ bootId: 'a', seq: 0, createdAt: 'x', entries: [] }] }, 'reports[0].seq must be a positive integer'],
    [
      {
        reports: [
          {
            bootId: 'a',
            seq: 1,
            createdAt: 'x',
            entries: [{ budgetId: 'b', periodStart: '2025-01-01T00:00:00Z', costNanos: '-1', requests: 1 }],
          },
        ],
      },
      'reports[0].entries[0].costNanos must be a non-negative decimal integer string',
    ],
  ])('refuses %j', (body, message) => {
    expect(parseUsageReports(body)).toBe(message);
  });
});
