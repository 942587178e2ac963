// The operator's side of the spend protocol (types shared with the gateway in
// @switchyard/compiler): validation of POST /v1/usage-reports bodies, and the snapshot it sends,
// which always names the reports it applied.
import type { SpendSnapshot as ReceivedSpendSnapshot, UsageReport, UsageReportEntry } from '@switchyard/compiler';

export type { UsageReport } from '@switchyard/compiler';

export interface SpendSnapshot extends ReceivedSpendSnapshot {
  /** bootId -> the highest seq of that boot whose spend every budget in `budgets` includes. */
  appliedReports: Record<string, number>;
}

const MAX_REPORTS = 1000;
const MAX_ENTRIES = 10_000;
const BOOT_ID = /^[\w.:-]{1,128}$/;
const NANOS = /^\d{1,30}$/;

/** Validates a usage-report POST body; returns the reports, or a message naming the problem. */
export function parseUsageReports(value: unknown): UsageReport[] | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'body must be a JSON object';
  const list = (value as { reports?: unknown }).reports;
  if (!Array.isArray(list)) return 'reports must be an array';
  if (list.length > MAX_REPORTS) return `at most ${MAX_REPORTS} reports per request`;
  const reports: UsageReport[] = [];
  let entryCount = 0;
  for (const [index, item] of list.entries()) {
    const where = `reports[${index}]`;
    if (!item || typeof item !== 'object') return `${where} must be an object`;
    const r = item as Record<string, unknown>;
    if (typeof r.bootId !== 'string' || !BOOT_ID.test(r.bootId))
      return `${where}.bootId must be 1-128 letters, digits, '.', ':', '_' or '-'`;
    if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 1) return `${where}.seq must be a positive integer`;
    if (typeof r.createdAt !== 'string') return `${where}.createdAt must be a string`;
    if (!Array.isArray(r.entries)) return `${where}.entries must be an array`;
    entryCount += r.entries.length;
    if (entryCount > MAX_ENTRIES) return `at most ${MAX_ENTRIES} entries per request`;
    const entries: UsageReportEntry[] = [];
    for (const [j, raw] of r.entries.entries()) {
      const at = `${where}.entries[${j}]`;
      if (!raw || typeof raw !== 'object') return `${at} must be an object`;
      const e = raw as Record<string, unknown>;
      if (typeof e.budgetId !== 'string' || e.budgetId === '' || e.budgetId.length > 512)
        return `${at}.budgetId must be a non-empty string`;
      if (typeof e.periodStart !== 'string' || Number.isNaN(Date.parse(e.periodStart)))
        return `${at}.periodStart must be an ISO-8601 instant`;
      if (typeof e.costNanos !== 'string' || !NANOS.test(e.costNanos))
        return `${at}.costNanos must be a non-negative decimal integer string`;
      if (typeof e.requests !== 'number' || !Number.isSafeInteger(e.requests) || e.requests < 0)
        return `${at}.requests must be a non-negative integer`;
      entries.push({ budgetId: e.budgetId, periodStart: e.periodStart, costNanos: e.costNanos, requests: e.requests });
    }
    reports.push({ bootId: r.bootId, seq: r.seq, createdAt: r.createdAt, entries });
  }
  return reports;
}
