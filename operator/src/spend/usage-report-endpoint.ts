// What POST /v1/usage-reports answers on every replica: 400 for a malformed body, else 200 with
// this replica's latest spend snapshot (null before its first flush), whose appliedReports
// acknowledge the batches this replica has written.
import type { SpendAggregator } from './spend-aggregator.js';
import { parseUsageReports } from './usage-report-message.js';

export function answerUsageReports(aggregator: SpendAggregator, body: unknown): { status: number; body: unknown } {
  const reports = parseUsageReports(body);
  if (typeof reports === 'string') return { status: 400, body: { error: { message: reports } } };
  aggregator.accept(reports);
  return { status: 200, body: { accepted: reports.length, snapshot: aggregator.snapshot() ?? null } };
}
