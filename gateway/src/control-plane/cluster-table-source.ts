// Cluster mode's counterpart of standalone-config.ts: tables come from the operator's stream and
// go through the same TableHolder swap as standalone reloads. The gateway starts serving at
// once, unready (/readyz 503) until the first table arrives.
import { hostname } from 'node:os';
import type { Logger } from '../observe/logger.js';
import type { GatewayMetrics } from '../observe/metrics.js';
import type { TableHolder } from '../table/table-holder.js';
import { connectToControlPlane, DEFAULT_TOKEN_FILE, type ControlPlaneConnection } from './control-plane-client.js';

export interface ClusterTableSourceOptions {
  url: string;
  tokenFile?: string;
  caFile?: string;
  tables: TableHolder;
  metrics: GatewayMetrics;
  logger: Logger;
  gatewayId?: string;
}

export function startClusterTableSource(options: ClusterTableSourceOptions): ControlPlaneConnection {
  const { tables, metrics, logger } = options;
  return connectToControlPlane({
    url: options.url,
    tokenFile: options.tokenFile ?? DEFAULT_TOKEN_FILE,
    ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    gatewayId: options.gatewayId ?? process.env.POD_NAME ?? hostname(),
    logger: logger.child({ part: 'control-plane' }),
    currentHash: () => tables.current?.hash,
    onTable(table) {
      try {
        const loaded = tables.load(table);
        metrics.tableLoaded(loaded.version, loaded.hash);
      } catch (error) {
        metrics.tableRejected();
        throw error;
      }
    },
  });
}
