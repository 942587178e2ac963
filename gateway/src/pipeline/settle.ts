// Stage 9, settle: the real usage and its cost go to metrics and back to whatever admission
// reserved (rate-limit tokens, budget reservations). Runs once per request, failed ones included.
import { exchangeCostNanos } from '../governance/cost/exchange-cost.js';
import type { Admission } from '../governance/admission-control.js';
import type { Exchange } from './exchange.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { requestLabels } from './observe.js';

export function settle(deps: PipelineDeps, exchange: Exchange, admission: Admission | undefined): void {
  const labels = requestLabels(exchange);
  if (exchange.usage !== undefined) deps.metrics.usage(labels, exchange.usage);
  const costNanos = exchangeCostNanos(exchange);
  if (costNanos !== undefined) deps.costs?.costed(labels.route, labels.backend, labels.key, costNanos);
  // A stream that began but ended without usage (client gone, upstream broke) was still billed upstream.
  const usageLost = exchange.usage === undefined && exchange.firstEventAt !== undefined;
  admission?.settle(exchange.usage, { ...(costNanos === undefined ? {} : { costNanos }), usageLost });
}
