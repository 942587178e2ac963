// Cluster mode's counterpart of standalone-config.ts: tables come from the operator's stream and
// go through the same TableHolder swap as standalone reloads. The gateway starts serving at
// once, unready (/readyz 503) until the first table arrives. With a ledger, settled spend goes
// to the operator (usage-reporter.ts) and its spend snapshots come back into the ledger.
import { hostname } from 'node:os';
import type { BudgetLedger, SpendSnapshot } from '../governance/budget/budget-ledger.js';
import type { Logger } from '@switchyard/compiler';
import type { GatewayMetrics } from '../observe/metrics.js';
import type { TrafficSummary } from '../observe/traffic-summary.js';
import { notableBackendStates } from '../table/backend-states.js';
import type { TableHolder } from '../table/table-holder.js';
import { connectToControlPlane, DEFAULT_TOKEN_FILE, type ControlPlaneConnection } from './control-plane-client.js';
import { startUsageReporter, type UsageReporter } from './usage-reporter.js';

export interface ClusterTableSourceOptions {
  url: string;
  tokenFile?: string;
  caFile?: string;
  tables: TableHolder;
  metrics: GatewayMetrics;
  logger: Logger;
  gatewayId?: string;
  /** The governance ledger: its usage batches are reported, the operator's snapshots applied. */
  ledger?: BudgetLedger;
  usageReportIntervalMs?: number;
  /** This gateway's traffic for the operator's console, sent with the usage reports. */
  traffic?: TrafficSummary;
}

export interface ClusterTableSource extends ControlPlaneConnection {
  /** Sends the spend settled so far (at shutdown, after in-flight requests finished). */
  flushUsage(): Promise<void>;
}

export function startClusterTableSource(options: ClusterTableSourceOptions): ClusterTableSource {
  const { tables, metrics, logger, ledger } = options;
  const tokenFile = options.tokenFile ?? DEFAULT_TOKEN_FILE;
  const gatewayId = options.gatewayId ?? process.env.POD_NAME ?? hostname();
  const spendLogger = logger.child({ part: 'spend' });
  const applySnapshot = (snapshot: SpendSnapshot): void => {
    if (!ledger) return;
    Promise.resolve(ledger.applySpendSnapshot(snapshot)).catch((error: unknown) =>
      spendLogger.warn('could not apply a spend snapshot', { error: error instanceof Error ? error.message : String(error) }),
    );
  };
  const connection = connectToControlPlane({
    url: options.url,
    tokenFile,
    ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    gatewayId,
    logger: logger.child({ part: 'control-plane' }),
    currentHash: () => tables.current?.hash,
    onResync: (reason) => metrics.tableResync(reason),
    onTable(table) {
      try {
        const loaded = tables.load(table);
        metrics.tableLoaded(loaded.version, loaded.hash);
      } catch (error) {
        metrics.tableRejected();
        throw error;
      }
    },
    ...(ledger ? { onSpendSnapshot: applySnapshot } : {}),
  });
  const reporter: UsageReporter | undefined = ledger
    ? startUsageReporter({
        url: options.url,
        tokenFile,
        ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
        gatewayId,
        ledger,
        applySnapshot,
        ...(options.traffic === undefined
          ? {}
          : { traffic: { summary: options.traffic, backendStates: () => notableBackendStates(tables.current, Date.now()) } }),
        logger: spendLogger,
        ...(options.usageReportIntervalMs !== undefined ? { intervalMs: options.usageReportIntervalMs } : {}),
      })
    : undefined;
  let flushed: Promise<void> | undefined;
  return {
    ...connection,
    flushUsage() {
      flushed ??= reporter?.close() ?? Promise.resolve();
      return flushed;
    },
  };
}
