// Standalone mode's table source: compile the manifests at start (a failure there is fatal),
// then recompile on every change; a change that fails to compile or load is logged in one line
// and the last good table keeps serving.
import { compileStandaloneConfig, watchStandaloneConfig, type ObjectDiagnostic, type StandaloneResult } from '@switchyard/compiler';
import type { Logger } from '@switchyard/compiler';
import type { GatewayMetrics } from '../observe/metrics.js';
import type { TableHolder } from '../table/table-holder.js';

export interface StandaloneConfigSource {
  close(): void;
}

/** Compiles and loads the initial table; throws with the reason when it cannot. */
export async function loadInitialConfig(
  path: string,
  tables: TableHolder,
  metrics: GatewayMetrics,
  logger: Logger,
): Promise<StandaloneResult> {
  const result = await compileStandaloneConfig(path, { env: process.env, version: 1 });
  const table = tables.load(result.table);
  metrics.tableLoaded(table.version, table.hash);
  logProblems(logger, result.diagnostics);
  for (const note of result.notes) logger.info('configuration note', { note });
  logger.info('routing table loaded', {
    version: table.version,
    hash: table.hash,
    routes: table.routes.size,
    keys: table.keysByDigest.size,
    files: result.files,
  });
  return result;
}

/** Watches from the initial load on: its version and content hash are the baseline, so no edit in between is missed. */
export function watchConfig(
  path: string,
  initial: StandaloneResult,
  tables: TableHolder,
  metrics: GatewayMetrics,
  logger: Logger,
): StandaloneConfigSource {
  return watchStandaloneConfig(
    path,
    { env: process.env, version: initial.table.version, baselineContentHash: initial.contentHash },
    {
      onTable(result) {
        if (result.table.hash === tables.current?.hash) return;
        try {
          const table = tables.load(result.table);
          metrics.tableLoaded(table.version, table.hash);
          logProblems(logger, result.diagnostics);
          logger.info('routing table reloaded', {
            version: table.version,
            hash: table.hash,
            routes: table.routes.size,
            keys: table.keysByDigest.size,
          });
        } catch (error) {
          rejected(error);
        }
      },
      onError: rejected,
    },
  );

  function rejected(error: unknown): void {
    metrics.tableRejected();
    logger.error('configuration change rejected; still serving the last good routing table', {
      reason: error instanceof Error ? error.message : String(error),
      servingVersion: tables.current?.version,
      servingHash: tables.current?.hash,
    });
  }
}

/** Conditions that say something is wrong (PriceUnknown is a problem when True). */
function logProblems(logger: Logger, diagnostics: readonly ObjectDiagnostic[]): void {
  for (const diagnostic of diagnostics) {
    for (const condition of diagnostic.conditions) {
      const problem = condition.type === 'PriceUnknown' ? condition.status === 'True' : condition.status !== 'True';
      if (!problem) continue;
      logger.warn('configuration problem', {
        object: `${diagnostic.kind} ${diagnostic.namespace}/${diagnostic.name}`,
        condition: condition.type,
        status: condition.status,
        reason: condition.reason,
        message: condition.message,
      });
    }
  }
}
