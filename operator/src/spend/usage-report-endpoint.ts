// What POST /v1/usage-reports answers: 400 for a malformed body, 503 on a follower (the
// gateway keeps its batches pending and resends them, reaching the leader eventually), else 200
// with the latest spend snapshot so gateways on any replica learn totals and acknowledgements.
import type { SpendAggregator } from './spend-aggregator.js';
import { parseUsageReports } from './usage-report-message.js';

export function answerUsageReports(aggregator: SpendAggregator, body: unknown): { status: number; body: unknown } {
  const reports = parseUsageReports(body);
  if (typeof reports === 'string') return { status: 400, body: { error: { message: reports } } };
  if (!aggregator.accept(reports)) return { status: 503, body: { error: { message: 'this operator replica is not the leader; retry' } } };
  return { status: 200, body: { accepted: reports.length, snapshot: aggregator.snapshot() ?? null } };
}
