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

/** What the usage journal keeps: enough to continue the book after the process was killed. */
export interface UsageBookState {
  bootId: string;
  nextSeq: number;
  open: UsageReportEntry[];
  pending: UsageReport[];
}

export class UsageReportBook {
  readonly bootId: string;
  private nextSeq = 1;
  private open = new Map<string, Accumulated>();
  private pending: UsageReport[] = [];
  /** Called after every change (the usage journal writes then). */
  onChange: (() => void) | undefined;

  constructor(bootId: string = randomUUID()) {
    this.bootId = bootId;
  }

  /**
   * Continues a book a killed process journaled: same boot id and sequence, its open spend and
   * unacknowledged batches. Batches the operator applied before the kill but the journal had not
   * seen acknowledged are sent again and skipped by the operator (it applies each seq of a boot
   * once); spend the journal had as open and the dead process had already sent goes out under
   * the sequence number the operator already applied, and is skipped too.
   */
  static continueFrom(state: UsageBookState): UsageReportBook {
    const book = new UsageReportBook(state.bootId);
    book.nextSeq = state.nextSeq;
    book.pending = [...state.pending];
    for (const entry of state.open) {
      const periodStartMs = Date.parse(entry.periodStart);
      book.open.set(accountKey(entry.budgetId, periodStartMs), {
        budgetId: entry.budgetId,
        periodStartMs,
        costNanos: BigInt(entry.costNanos),
        requests: entry.requests,
      });
    }
    return book;
  }

  state(): UsageBookState {
    return { bootId: this.bootId, nextSeq: this.nextSeq, open: this.openEntries(), pending: this.pending };
  }

  record(budgetId: string, periodStartMs: number, costNanos: bigint): void {
    const key = accountKey(budgetId, periodStartMs);
    const entry = this.open.get(key);
    if (entry === undefined) this.open.set(key, { budgetId, periodStartMs, costNanos, requests: 1 });
    else {
      entry.costNanos += costNanos;
      entry.requests += 1;
    }
    this.onChange?.();
  }

  /** Closes the open batch (if it has anything) and returns every unacknowledged batch, oldest first. */
  drain(nowMs: number): UsageReport[] {
    if (this.open.size > 0) {
      this.pending.push({
        bootId: this.bootId,
        seq: this.nextSeq++,
        createdAt: new Date(nowMs).toISOString(),
        entries: this.openEntries(),
      });
      this.open = new Map();
      this.onChange?.();
    }
    return [...this.pending];
  }

  /** Forgets batches up to `seq`, which the operator has applied. */
  acknowledge(seq: number): void {
    const before = this.pending.length;
    this.pending = this.pending.filter((report) => report.seq > seq);
    if (this.pending.length !== before) this.onChange?.();
  }

  private openEntries(): UsageReportEntry[] {
    return [...this.open.values()].map((entry) => ({
      budgetId: entry.budgetId,
      periodStart: new Date(entry.periodStartMs).toISOString(),
      costNanos: entry.costNanos.toString(),
      requests: entry.requests,
    }));
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
