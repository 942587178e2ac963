// Stage 9, settle: the real usage goes to metrics and back to whatever admission reserved
// (nothing yet; governance plugs in there). Runs once per request, failed ones included.
import type { Admission } from './admit.js';
import type { Exchange } from './exchange.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { requestLabels } from './observe.js';

export function settle(deps: PipelineDeps, exchange: Exchange, admission: Admission | undefined): void {
  if (exchange.usage !== undefined) deps.metrics.usage(requestLabels(exchange), exchange.usage);
  admission?.settle(exchange.usage);
}
