// The single-process budget ledger: reservation, settlement, release, Warn flags, period
// resets, and the cluster hooks (usage reports out, spend snapshots in).
import { describe, expect, it } from '@jest/globals';
import type { CompiledBudget } from '@switchyard/compiler';
import { createLogger } from '@switchyard/compiler';
import type { BudgetReserveOutcome } from '../../src/governance/budget/budget-ledger.js';
import { InProcessBudgetLedger } from '../../src/governance/budget/in-process-budget-ledger.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const quiet = createLogger({ write: () => undefined });

const budget = (
  name: string,
  limitNanos: bigint,
  enforcement: 'Block' | 'Warn' = 'Block',
  period: CompiledBudget['period'] = 'Daily',
): CompiledBudget => ({
  id: `ai/${name}`,
  namespace: 'ai',
  name,
  generation: 1,
  limitNanos: limitNanos.toString(),
  period,
  enforcement,
});

function admitted(outcome: BudgetReserveOutcome): Extract<BudgetReserveOutcome, { admitted: true }> {
  if (!outcome.admitted) throw new Error(`refused by ${outcome.exhausted.id}`);
  return outcome;
}

function reserve(ledger: InProcessBudgetLedger, budgets: CompiledBudget[], estimateNanos: bigint, nowMs = T0): BudgetReserveOutcome {
  return ledger.reserve({ budgets, estimateNanos, nowMs, leaseMs: 600_000 });
}

describe('in-process budget ledger', () => {
  it('admits while spent + reserved + estimate fits, then replaces the reservation with the real cost', () => {
    const ledger = new InProcessBudgetLedger({ logger: quiet });
    const team = budget('team', 1000n);
    const first = admitted(reserve(ledger, [team], 600n));
    expect(reserve(ledger, [team], 500n)).toMatchObject({ admitted: false, exhausted: team, spentOut: false });
    first.reservation.settle(100n, T0 + 1);
    expect(ledger.spend(team, T0 + 2)).toMatchObject({ spentNanos: 100n, reservedNanos: 0n });
    admitted(reserve(ledger, [team], 900n, T0 + 3)).reservation.settle(900n, T0 + 4);
    // spent == limit: exhausted, and said so
    expect(reserve(ledger, [team], 1n, T0 + 5)).toMatchObject({ admitted: false, spentOut: true });
  });

  it('releases a failed request without charging it', () => {
    const ledger = new InProcessBudgetLedger({ logger: quiet });
    const team = budget('team', 1000n);
    admitted(reserve(ledger, [team], 1000n)).reservation.settle(undefined, T0);
    expect(ledger.spend(team, T0)).toMatchObject({ spentNanos: 0n, reservedNanos: 0n });
    expect(reserve(ledger, [team], 1000n).admitted).toBe(true);
  });

  it('charges every budget covering the key and needs room in every Block budget', () => {
    const ledger = new InProcessBudgetLedger({ logger: quiet });
    const own = budget('own', 10_000n);
    const team = budget('team', 500n);
    expect(reserve(ledger, [own, team], 600n)).toMatchObject({ admitted: false, exhausted: team });
    // Nothing was taken from `own` by the refused request.
    expect(ledger.spend(own, T0).reservedNanos).toBe(0n);
    admitted(reserve(ledger, [own, team], 400n)).reservation.settle(300n, T0);
    expect(ledger.spend(own, T0).spentNanos).toBe(300n);
    expect(ledger.spend(team, T0).spentNanos).toBe(300n);
  });

  it('flags Warn budgets and admits anyway', () => {
    const ledger = new InProcessBudgetLedger({ logger: quiet });
    const soft = budget('soft', 100n, 'Warn');
    const outcome = admitted(reserve(ledger, [soft], 500n));
    expect(outcome.warnings).toEqual([soft]);
    outcome.reservation.settle(500n, T0);
    expect(ledger.spend(soft, T0).spentNanos).toBe(500n);
  });

  it('starts every period from zero at 00:00 UTC', () => {
    const ledger = new InProcessBudgetLedger({ logger: quiet });
    const daily = budget('daily', 1000n);
    admitted(reserve(ledger, [daily], 1000n, Date.parse('2026-11-25T23:59:00Z'))).reservation.settle(
      1000n,
      Date.parse('2026-11-25T23:59:01Z'),
    );
    expect(reserve(ledger, [daily], 1n, Date.parse('2026-11-25T23:59:59.999Z')).admitted).toBe(false);
    expect(reserve(ledger, [daily], 1000n, Date.parse('2026-11-26T00:00:00Z')).admitted).toBe(true);
  });

  it('charges a request to the period it finished in, and releases its reservation from the one it began in', () => {
    const ledger = new InProcessBudgetLedger({ logger: quiet });
    const daily = budget('daily', 1000n);
    const late = admitted(reserve(ledger, [daily], 800n, Date.parse('2026-11-25T23:59:59Z')));
    late.reservation.settle(300n, Date.parse('2026-11-26T00:00:05Z'));
    expect(ledger.spend(daily, Date.parse('2026-11-25T23:59:59Z'))).toMatchObject({ spentNanos: 0n, reservedNanos: 0n });
    expect(ledger.spend(daily, Date.parse('2026-11-26T00:00:06Z'))).toMatchObject({
      spentNanos: 300n,
      periodStart: '2026-11-26T00:00:00.000Z',
    });
  });

  it('reports settled spend in numbered batches until a snapshot acknowledges them', () => {
    let now = T0;
    const ledger = new InProcessBudgetLedger({ logger: quiet, bootId: 'boot-1', nowMs: () => now });
    const team = budget('team', 1_000_000n);
    admitted(reserve(ledger, [team], 10n)).reservation.settle(7n, T0);
    admitted(reserve(ledger, [team], 10n)).reservation.settle(5n, T0);
    const first = ledger.drainUsageReports();
    expect(first).toEqual([
      {
        bootId: 'boot-1',
        seq: 1,
        createdAt: new Date(T0).toISOString(),
        entries: [{ budgetId: 'ai/team', periodStart: '2026-11-25T00:00:00.000Z', costNanos: '12', requests: 2 }],
      },
    ]);
    now += 1000;
    admitted(reserve(ledger, [team], 10n)).reservation.settle(3n, now);
    // Batch 1 was never acknowledged: it comes again, with batch 2 after it.
    expect(ledger.drainUsageReports().map((r) => [r.seq, r.entries[0]?.costNanos])).toEqual([
      [1, '12'],
      [2, '3'],
    ]);
    // The operator applied batch 1 (and other gateways' spend): its total plus our unacknowledged 3.
    ledger.applySpendSnapshot({
      budgets: [{ budgetId: 'ai/team', periodStart: '2026-11-25T00:00:00.000Z', spentNanos: '5000' }],
      appliedReports: { 'boot-1': 1 },
    });
    expect(ledger.spend(team, now).spentNanos).toBe(5003n);
    expect(ledger.drainUsageReports().map((r) => r.seq)).toEqual([2]);
    ledger.applySpendSnapshot({
      budgets: [{ budgetId: 'ai/team', periodStart: '2026-11-25T00:00:00.000Z', spentNanos: '5003' }],
      appliedReports: { 'boot-1': 2 },
    });
    expect(ledger.spend(team, now).spentNanos).toBe(5003n);
    expect(ledger.drainUsageReports()).toEqual([]);
  });
});
