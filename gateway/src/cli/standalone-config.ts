// Standalone mode's table source: compile the manifests at start (a failure there is fatal),
// then recompile on every change; a change that fails to compile or load is logged in one line
// and the last good table keeps serving. Every compile, at start or on reload, logs its notes and
// warnings, and every change logs a line saying what is served, so the last line is never stale.
import {
  compileStandaloneFiles,
  ManifestParseCache,
  readConfigFiles,
  watchStandaloneConfig,
  type ObjectDiagnostic,
  type StandaloneResult,
} from '@switchyard/compiler';
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
  // Read through the cache the watcher goes on with, so the first change re-reads and re-parses
  // only the files it touched (at 20,000 keys, reading and hashing every file is a tenth of a reload).
  const cache = new ManifestParseCache();
  const result = compileStandaloneFiles(await readConfigFiles(path, cache), { env: process.env, version: 1, cache });
  const table = tables.load(result.table);
  metrics.tableLoaded(table.version, table.hash);
  logCompileReport(logger, result);
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
  let lastWasRejected = false;
  return watchStandaloneConfig(
    path,
    {
      env: process.env,
      version: initial.table.version,
      baselineContentHash: initial.contentHash,
      baselineTableHash: initial.table.hash,
      // The initial load's parses: a first change re-parses only the files it touched.
      cache: initial.cache,
    },
    {
      // A table that fails to load throws back to the watcher, which reports it through onError
      // and keeps the version, so the next good table is the next number.
      onTable(result) {
        const table = tables.load(result.table);
        metrics.tableLoaded(table.version, table.hash);
        lastWasRejected = false;
        logCompileReport(logger, result);
        logger.info('routing table reloaded', {
          version: table.version,
          hash: table.hash,
          routes: table.routes.size,
          keys: table.keysByDigest.size,
        });
      },
      // Without this line, undoing a rejected change would leave the rejection as the last word.
      onUnchanged(result) {
        logCompileReport(logger, result);
        logger.info(
          lastWasRejected
            ? 'configuration valid again; the routing table served is unchanged'
            : 'configuration changed; the routing table served is unchanged',
          { version: tables.current?.version, hash: tables.current?.hash },
        );
        lastWasRejected = false;
      },
      onError: rejected,
    },
  );

  function rejected(error: unknown): void {
    lastWasRejected = true;
    metrics.tableRejected();
    logger.error('configuration change rejected; still serving the last good routing table', {
      reason: error instanceof Error ? error.message : String(error),
      servingVersion: tables.current?.version,
      servingHash: tables.current?.hash,
    });
  }
}

/** What a compile has to say besides the table: problems, warnings (manifests that look like ours but are not read), notes. */
function logCompileReport(logger: Logger, result: StandaloneResult): void {
  logProblems(logger, result.diagnostics);
  for (const warning of result.warnings) logger.warn('configuration warning', { warning });
  for (const note of result.notes) logger.info('configuration note', { note });
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
