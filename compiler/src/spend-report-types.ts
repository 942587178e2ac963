// The spend protocol between gateways and the operator, in one place for both sides: the body of
// POST /v1/usage-reports (gateway -> operator) and the spend snapshot the operator sends back (in
// the response and as a `spend` event on the table stream). docs/governance.md describes it.

export interface UsageReportEntry {
  budgetId: string;
  periodStart: string;
  /** Settled nano-dollars, a decimal integer string. */
  costNanos: string;
  requests: number;
}

export interface UsageReport {
  /** Random per gateway process start; with seq it identifies the batch for at-most-once application. */
  bootId: string;
  /** 1, 2, 3, ... per bootId, without gaps. */
  seq: number;
  createdAt: string;
  entries: UsageReportEntry[];
}

export interface SpendSnapshotEntry {
  budgetId: string;
  periodStart: string;
  spentNanos: string;
}

/** What a gateway accepts: `appliedReports` may be absent (a snapshot from before any report). */
export interface SpendSnapshot {
  budgets: SpendSnapshotEntry[];
  /** bootId -> the highest seq of that boot's reports included in `budgets`. */
  appliedReports?: Record<string, number>;
}
