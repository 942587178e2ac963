// Cluster mode's spend path, gateway side: every interval (and once more at shutdown, after
// in-flight requests settled) the ledger's unacknowledged usage batches are POSTed to the
// operator, authenticated like acknowledgements. A batch stays pending in the ledger until a
// spend snapshot acknowledges it, so a failed POST or an operator restart only delays it. Any
// operator replica, leader or follower, applies the batches; the answer carries that replica's
// latest snapshot, applied like a pushed one, so the gateway learns the acknowledgements of the
// replica its POSTs reach even when its table stream sits on another one.
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { GATEWAY_ID_HEADER, USAGE_REPORTS_PATH, type BackendState } from '@switchyard/compiler';
import type { BudgetLedger, SpendSnapshot } from '../governance/budget/budget-ledger.js';
import type { Logger } from '@switchyard/compiler';
import type { TrafficSummary } from '../observe/traffic-summary.js';
import { parseSpendSnapshot } from './table-stream-messages.js';

export interface UsageReporterOptions {
  url: string;
  tokenFile: string;
  caFile?: string;
  gatewayId: string;
  ledger: Pick<BudgetLedger, 'drainUsageReports'>;
  applySnapshot(snapshot: SpendSnapshot): void;
  /** The console's view of this gateway's traffic, sent with every POST; absent: no `traffic` member. */
  traffic?: { summary: TrafficSummary; backendStates(): BackendState[] };
  logger: Logger;
  intervalMs?: number;
  requestTimeoutMs?: number;
}

export interface UsageReporter {
  /** One POST now: drained reports, and the snapshot in the answer applied. */
  sendNow(): Promise<void>;
  /** Stops the timer and sends what settled until now. */
  close(): Promise<void>;
}

export function startUsageReporter(options: UsageReporterOptions): UsageReporter {
  const base = new URL(options.url);
  const target = new URL(base.pathname.replace(/\/+$/, '') + USAGE_REPORTS_PATH, base);
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  let sending: Promise<void> | undefined;
  let lastProblem: string | undefined;

  const post = async (): Promise<void> => {
    const reports = options.ledger.drainUsageReports();
    let token: string;
    let ca: Buffer | undefined;
    try {
      token = (await readFile(options.tokenFile, 'utf8')).trim();
      if (options.caFile) ca = await readFile(options.caFile);
    } catch (error) {
      throw new Error(`cannot read the token or CA file: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const traffic = options.traffic?.summary.takeReport(options.gatewayId, options.traffic.backendStates());
    const body = JSON.stringify(traffic === undefined ? { reports } : { reports, traffic });
    const sent = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const headers = {
        authorization: `Bearer ${token}`,
        [GATEWAY_ID_HEADER]: options.gatewayId,
        accept: 'application/json',
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      };
      const req =
        target.protocol === 'https:'
          ? httpsRequest(target, { method: 'POST', headers, ...(ca ? { ca } : {}) })
          : httpRequest(target, { method: 'POST', headers });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
    const answer = await sent.catch((error: unknown) => {
      if (traffic !== undefined) options.traffic?.summary.notDelivered(traffic);
      throw error;
    });
    if (answer.status !== 200) {
      if (traffic !== undefined) options.traffic?.summary.notDelivered(traffic);
      throw new Error(`operator answered ${answer.status}${answer.status === 503 ? ' (not ready); reports stay pending' : ''}`);
    }
    const parsed = JSON.parse(answer.text) as { snapshot?: unknown; trafficResync?: unknown };
    if (parsed.trafficResync === true) options.traffic?.summary.resendEverything();
    if (parsed.snapshot !== null && parsed.snapshot !== undefined) options.applySnapshot(parseSpendSnapshot(parsed.snapshot));
    if (lastProblem !== undefined) options.logger.info('usage reports reach the operator again', { pendingReports: reports.length });
    lastProblem = undefined;
  };

  const sendNow = (): Promise<void> => {
    sending ??= post()
      .catch((error: unknown) => {
        const problem = error instanceof Error ? error.message : String(error);
        // Logged once per kind of trouble, not every second.
        if (problem !== lastProblem) options.logger.warn('could not send usage reports; they stay pending', { error: problem });
        lastProblem = problem;
      })
      .finally(() => (sending = undefined));
    return sending;
  };

  const timer = setInterval(() => void sendNow(), options.intervalMs ?? 1000);
  timer.unref();
  return {
    sendNow,
    async close() {
      clearInterval(timer);
      await sending;
      await sendNow();
    },
  };
}
