// Budget spend: reservation at admission, settlement with the real cost, release on failure.
// Two ledgers implement it: one in process (standalone; spend durable through --state-file) and
// one in Redis (--redis-url; every replica enforces the same totals).
//
// Cluster mode connects a ledger to the operator through two calls (docs/governance.md):
// - drainUsageReports(): batches of settled spend since the last call, each with this process's
//   bootId and a sequence number. A batch stays pending (and is returned again by every later
//   drain) until a spend snapshot acknowledges it, so a lost request is simply resent; the
//   operator applies (bootId, seq) at most once.
// - applySpendSnapshot(): the operator's aggregated spend per budget and period, with the last
//   seq it applied from each gateway boot; the ledger adds what the snapshot does not yet cover.
import type { BudgetPeriod, CompiledBudget, SpendSnapshot, UsageReport } from '@switchyard/compiler';

export type { SpendSnapshot, SpendSnapshotEntry, UsageReport, UsageReportEntry } from '@switchyard/compiler';

export interface BudgetReserveRequest {
  /** The budgets covering the key, Block and Warn alike; every one is charged. */
  budgets: readonly CompiledBudget[];
  estimateNanos: bigint;
  nowMs: number;
  /** Shared ledgers reclaim the reservation after this long if its holder never settles. */
  leaseMs: number;
  /** The reservation outlives the request (a batch, until its results are fetched): give it a `handle`. */
  held?: boolean;
}

export type BudgetReserveOutcome =
  | { admitted: true; reservation: BudgetReservation; warnings: readonly CompiledBudget[] }
  | { admitted: false; exhausted: CompiledBudget; spentOut: boolean };

export interface BudgetReservation {
  /** Replaces the reservation with the real cost; `undefined` only releases it (failed call, or no price). */
  settle(costNanos: bigint | undefined, nowMs: number): void;
  /** A `held` reservation's name, by which any replica sharing the ledger settles it (`settleHeld`). */
  readonly handle?: string;
}

export interface BudgetSpend {
  budgetId: string;
  period: BudgetPeriod;
  /** ISO-8601 start of the period the figures belong to. */
  periodStart: string;
  spentNanos: bigint;
  reservedNanos: bigint;
}

export interface BudgetLedger {
  reserve(request: BudgetReserveRequest): BudgetReserveOutcome | Promise<BudgetReserveOutcome>;
  /** Charges spend that had no reservation (admitted while the shared store was unreachable). */
  charge(budgets: readonly CompiledBudget[], costNanos: bigint, nowMs: number): void | Promise<void>;
  /**
   * Settles a held reservation by its handle, on whichever replica: the reservation released and
   * `costNanos` charged to `budgets` (the budgets it was made in). A reservation already reclaimed
   * (its lease ran out, the process restarted) is charged without one.
   */
  settleHeld(budgets: readonly CompiledBudget[], handle: string, costNanos: bigint, nowMs: number): void;
  spend(budget: CompiledBudget, nowMs: number): BudgetSpend | Promise<BudgetSpend>;
  applySpendSnapshot(snapshot: SpendSnapshot): void | Promise<void>;
  drainUsageReports(): UsageReport[];
  /** Writes whatever durable state is pending (state file); resolves when it is on disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function accountKey(budgetId: string, periodStartMs: number): string {
  return `${budgetId}@${periodStartMs}`;
}
