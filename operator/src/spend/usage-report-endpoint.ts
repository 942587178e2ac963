// What POST /v1/usage-reports answers on every replica: 400 for a malformed body, else 200 with
// this replica's latest spend snapshot (null before its first flush), whose appliedReports
// acknowledge the batches this replica has written. The body's optional `traffic` member (what
// the console shows) is kept apart: a malformed one is named in `trafficError` and dropped, so
// a gateway's traffic view can never hold back its spend.
import type { GatewayTrafficStore } from '../console/gateway-traffic.js';
import { parseTrafficReport } from '../console/gateway-traffic.js';
import type { SpendAggregator } from './spend-aggregator.js';
import { parseUsageReports } from './usage-report-message.js';

export function answerUsageReports(
  aggregator: SpendAggregator,
  body: unknown,
  traffic?: GatewayTrafficStore,
): { status: number; body: unknown } {
  const reports = parseUsageReports(body);
  if (typeof reports === 'string') return { status: 400, body: { error: { message: reports } } };
  aggregator.accept(reports);
  const answer: Record<string, unknown> = { accepted: reports.length, snapshot: aggregator.snapshot() ?? null };
  const trafficBody = (body as { traffic?: unknown }).traffic;
  if (traffic !== undefined && trafficBody !== undefined) {
    const report = parseTrafficReport(trafficBody);
    if (typeof report === 'string') answer.trafficError = report;
    else if (traffic.accept(report).resync) answer.trafficResync = true;
  }
  return { status: 200, body: answer };
}
