// Settled spend on its way to the operator: accumulated per budget period, cut into numbered
// batches by drainUsageReports(), kept until a spend snapshot says the operator applied them.
import { randomUUID } from 'node:crypto';
import { accountKey, type UsageReport, type UsageReportEntry } from './budget-ledger.js';

interface Accumulated {
  budgetId: string;
  periodStartMs: number;
  costNanos: bigint;
  requests: number;
}

export class UsageReportBook {
  readonly bootId: string;
  private nextSeq = 1;
  private open = new Map<string, Accumulated>();
  private pending: UsageReport[] = [];

  constructor(bootId: string = randomUUID()) {
    this.bootId = bootId;
  }

  record(budgetId: string, periodStartMs: number, costNanos: bigint): void {
    const key = accountKey(budgetId, periodStartMs);
    const entry = this.open.get(key);
    if (entry === undefined) this.open.set(key, { budgetId, periodStartMs, costNanos, requests: 1 });
    else {
      entry.costNanos += costNanos;
      entry.requests += 1;
    }
  }

  /** Closes the open batch (if it has anything) and returns every unacknowledged batch, oldest first. */
  drain(nowMs: number): UsageReport[] {
    if (this.open.size > 0) {
      const entries: UsageReportEntry[] = [];
      for (const entry of this.open.values()) {
        entries.push({
          budgetId: entry.budgetId,
          periodStart: new Date(entry.periodStartMs).toISOString(),
          costNanos: entry.costNanos.toString(),
          requests: entry.requests,
        });
      }
      this.pending.push({ bootId: this.bootId, seq: this.nextSeq++, createdAt: new Date(nowMs).toISOString(), entries });
      this.open = new Map();
    }
    return [...this.pending];
  }

  /** Forgets batches up to `seq`, which the operator has applied. */
  acknowledge(seq: number): void {
    this.pending = this.pending.filter((report) => report.seq > seq);
  }

  /** Spend of one budget period this process settled that the operator has not acknowledged. */
  unacknowledged(budgetId: string, periodStartMs: number): bigint {
    const key = accountKey(budgetId, periodStartMs);
    const periodStart = new Date(periodStartMs).toISOString();
    let total = this.open.get(key)?.costNanos ?? 0n;
    for (const report of this.pending) {
      for (const entry of report.entries)
        if (entry.budgetId === budgetId && entry.periodStart === periodStart) total += BigInt(entry.costNanos);
    }
    return total;
  }

  get pendingReports(): number {
    return this.pending.length;
  }
}
