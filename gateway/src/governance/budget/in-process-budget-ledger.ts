// The single-process budget ledger: exact for one gateway (a reservation is checked and taken in
// one synchronous step, so concurrent requests can never both take the last room). Spend is
// kept per budget and period; a new period starts from zero (or from what a snapshot or the
// state file says about it).
import { budgetPeriodStartMs, type CompiledBudget } from '@switchyard/compiler';
import type { Logger } from '@switchyard/compiler';
import {
  accountKey,
  type BudgetLedger,
  type BudgetReservation,
  type BudgetReserveOutcome,
  type BudgetReserveRequest,
  type BudgetSpend,
  type SpendSnapshot,
  type UsageReport,
} from './budget-ledger.js';
import { readSpendStateFile, SpendStateWriter, type SpendRecord } from './spend-state-file.js';
import { openUsageReportBook } from './usage-journal.js';
import type { UsageReportBook } from './usage-report-book.js';

const STALE_ACCOUNT_MS = 40 * 86_400_000;

interface Account {
  budgetId: string;
  periodStartMs: number;
  spentNanos: bigint;
  reservedNanos: bigint;
}

export interface InProcessBudgetLedgerOptions {
  logger: Logger;
  /** --state-file: loaded now, rewritten (debounced) after settlements. */
  stateFile?: string;
  /** --usage-journal: the usage report book, kept on disk after every change (cluster mode). */
  usageJournal?: string;
  flushDelayMs?: number;
  bootId?: string;
  nowMs?: () => number;
}

export class InProcessBudgetLedger implements BudgetLedger {
  private readonly accounts = new Map<string, Account>();
  /** Reservations held past their request (batches), by handle. */
  private readonly held = new Map<string, BudgetReservation>();
  private heldSeq = 0;
  /** Handles already settled: a second settlement of one is a no-op (a few ids per batch, kept for the process's life). */
  private readonly settledHeld = new Set<string>();
  private readonly reports: UsageReportBook;
  private readonly writer: SpendStateWriter | undefined;
  private readonly nowMs: () => number;

  constructor(options: InProcessBudgetLedgerOptions) {
    this.reports = openUsageReportBook({ journalPath: options.usageJournal, bootId: options.bootId, logger: options.logger });
    this.nowMs = options.nowMs ?? Date.now;
    if (options.stateFile !== undefined) {
      // Throws StateFileError (the caller exits naming it) rather than silently starting from zero.
      for (const record of readSpendStateFile(options.stateFile) ?? []) {
        const start = Date.parse(record.periodStart);
        this.account(record.budgetId, start).spentNanos = BigInt(record.spentNanos);
      }
      this.writer = new SpendStateWriter({
        path: options.stateFile,
        collect: () => this.records(),
        logger: options.logger,
        nowMs: this.nowMs,
        ...(options.flushDelayMs === undefined ? {} : { flushDelayMs: options.flushDelayMs }),
      });
    }
  }

  reserve(request: BudgetReserveRequest): BudgetReserveOutcome {
    const { budgets, estimateNanos, nowMs } = request;
    const held: Account[] = [];
    const warnings: CompiledBudget[] = [];
    for (const budget of budgets) {
      const account = this.account(budget.id, budgetPeriodStartMs(budget.period, nowMs));
      const limit = BigInt(budget.limitNanos);
      if (account.spentNanos + account.reservedNanos + estimateNanos > limit) {
        if (budget.enforcement === 'Block') return { admitted: false, exhausted: budget, spentOut: account.spentNanos >= limit };
        warnings.push(budget);
      }
      held.push(account);
    }
    for (const account of held) account.reservedNanos += estimateNanos;
    let open = true;
    const handle = request.held === true ? `held:${++this.heldSeq}` : undefined;
    const reservation: BudgetReservation = {
      settle: (costNanos, settledAtMs) => {
        if (!open) return;
        open = false;
        if (handle !== undefined) this.held.delete(handle);
        for (const account of held) account.reservedNanos -= estimateNanos;
        if (costNanos !== undefined && costNanos > 0n) this.charge(budgets, costNanos, settledAtMs);
      },
      ...(handle === undefined ? {} : { handle }),
    };
    if (handle !== undefined) this.held.set(handle, reservation);
    return { admitted: true, reservation, warnings };
  }

  /** One process holds its reservations in memory: a handle from before a restart is charged without one. */
  settleHeld(budgets: readonly CompiledBudget[], handle: string, costNanos: bigint, nowMs: number): void {
    if (this.settledHeld.has(handle)) return;
    this.settledHeld.add(handle);
    const reservation = this.held.get(handle);
    if (reservation !== undefined) reservation.settle(costNanos, nowMs);
    else if (costNanos > 0n) this.charge(budgets, costNanos, nowMs);
  }

  /** Charged to the period in which the request finished. */
  charge(budgets: readonly CompiledBudget[], costNanos: bigint, nowMs: number): void {
    for (const budget of budgets) {
      const start = budgetPeriodStartMs(budget.period, nowMs);
      this.account(budget.id, start).spentNanos += costNanos;
      this.reports.record(budget.id, start, costNanos);
    }
    this.writer?.markDirty();
  }

  spend(budget: CompiledBudget, nowMs: number): BudgetSpend {
    const start = budgetPeriodStartMs(budget.period, nowMs);
    const account = this.accounts.get(accountKey(budget.id, start));
    return {
      budgetId: budget.id,
      period: budget.period,
      periodStart: new Date(start).toISOString(),
      spentNanos: account?.spentNanos ?? 0n,
      reservedNanos: account?.reservedNanos ?? 0n,
    };
  }

  applySpendSnapshot(snapshot: SpendSnapshot): void {
    const applied = snapshot.appliedReports?.[this.reports.bootId];
    if (applied !== undefined) this.reports.acknowledge(applied);
    for (const entry of snapshot.budgets) {
      const start = Date.parse(entry.periodStart);
      if (Number.isNaN(start) || !/^\d+$/.test(entry.spentNanos)) continue;
      // The operator's total covers every acknowledged report; what this process settled since is added on top.
      this.account(entry.budgetId, start).spentNanos = BigInt(entry.spentNanos) + this.reports.unacknowledged(entry.budgetId, start);
    }
    this.writer?.markDirty();
  }

  drainUsageReports(): UsageReport[] {
    return this.reports.drain(this.nowMs());
  }

  /** Forgets accounts of periods long over (the longest resetting period is a month); Total accounts stay. */
  sweep(nowMs: number): void {
    for (const [key, account] of this.accounts) {
      if (account.periodStartMs !== 0 && account.reservedNanos === 0n && account.periodStartMs < nowMs - STALE_ACCOUNT_MS)
        this.accounts.delete(key);
    }
  }

  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  flushSync(): void {
    this.writer?.flushSync();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private account(budgetId: string, start: number): Account {
    const key = accountKey(budgetId, start);
    let account = this.accounts.get(key);
    if (account === undefined) {
      account = { budgetId, periodStartMs: start, spentNanos: 0n, reservedNanos: 0n };
      this.accounts.set(key, account);
    }
    return account;
  }

  private records(): SpendRecord[] {
    const records: SpendRecord[] = [];
    for (const account of this.accounts.values()) {
      if (account.spentNanos > 0n)
        records.push({
          budgetId: account.budgetId,
          periodStart: new Date(account.periodStartMs).toISOString(),
          spentNanos: account.spentNanos.toString(),
        });
    }
    return records;
  }
}
