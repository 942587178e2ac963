// One compile of the whole cache: run the compiler, publish the table when its content hash
// changed, and work out which objects' status inputs changed (those are queued).
import {
  compileRoutingTable,
  type CompileState,
  type KindObject,
  type KindRegistry,
  type ObjectDiagnostic,
  type RoutingTable,
  type ConfigMapManifest,
  type SecretManifest,
  type TableIndex,
} from '@switchyard/compiler';
import type { Logger } from '../observe/logger.js';
import type { OperatorMetrics } from '../observe/operator-metrics.js';
import type { PublishedTable } from '../table-server/table-stream-server.js';
import type { AcknowledgementTracker } from './acknowledgement-tracker.js';
import { objectKeyOf } from './object-keys.js';

export interface TablePublisher {
  /** `index` is the compiler's index of the table (CompileResult.index), so the publisher need not hash it again. */
  publish(table: RoutingTable, index?: TableIndex): PublishedTable;
}

export interface CompiledState {
  table: RoutingTable;
  diagnostics: Map<string, ObjectDiagnostic>;
  /**
   * Per object key, the status fields its kind adds (VirtualKey: keyHint); objects whose kind adds
   * none (or an empty record) have no entry.
   */
  statusFields: Map<string, Record<string, unknown>>;
}

export interface TableCompilationOptions {
  kinds: KindRegistry;
  sharedNamespaces: readonly string[];
  publisher: TablePublisher;
  tracker: AcknowledgementTracker;
  logger: Logger;
  metrics?: OperatorMetrics;
  /** First table version; versions grow from it across restarts. */
  initialVersion: number;
  now?: () => Date;
}

export class TableCompilation {
  private version: number;
  private state: CompiledState | undefined;
  /** What the next compile reuses (CompileInput.previous). */
  private compileState: CompileState | undefined;

  constructor(private readonly options: TableCompilationOptions) {
    this.version = options.initialVersion;
  }

  get current(): CompiledState | undefined {
    return this.state;
  }

  /** Compiles, publishes a changed table, and returns the keys of objects whose status inputs changed. */
  run(
    objects: readonly KindObject[],
    secrets: readonly SecretManifest[],
    serviceAccounts?: ReadonlyMap<string, string>,
    configMaps: readonly ConfigMapManifest[] = [],
  ): string[] {
    const started = process.hrtime.bigint();
    const result = compileRoutingTable({
      objects,
      secrets,
      configMaps,
      ...(serviceAccounts === undefined ? {} : { serviceAccounts }),
      sharedNamespaces: this.options.sharedNamespaces,
      version: this.version + 1,
      kinds: this.options.kinds,
      // Objects from the informer caches keep their identity until they change: what did not
      // change is not compiled again, and unchanged table entries are the previous table's.
      ...(this.compileState === undefined ? {} : { previous: this.compileState }),
      ...(this.options.now ? { clock: this.options.now } : {}),
    });
    this.compileState = result.state;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.options.metrics?.compileDuration.observe(seconds);

    const previous = this.state;
    let table = result.table;
    if (!previous || previous.table.hash !== table.hash) {
      this.version += 1;
      this.publish(table, result.index, seconds);
    } else {
      table = previous.table;
      this.options.metrics?.compiles.inc({ result: 'unchanged' });
    }
    this.state = this.stateOf(table, result.diagnostics);
    this.options.tracker.setCurrentObjects(this.state.diagnostics);
    return statusChanges(previous, this.state);
  }

  private publish(table: RoutingTable, index: TableIndex, seconds: number): void {
    const { metrics, logger, kinds } = this.options;
    // The table's JSON and gzip sizes go to the metrics when the publisher builds the full table
    // (only when a gateway needs it: TableStreamServerOptions.onTableEncoded).
    const published = this.options.publisher.publish(table, index);
    this.options.tracker.remember(table);
    metrics?.compiles.inc({ result: 'changed' });
    metrics?.tableVersion.set(table.version);
    const counts: Record<string, number> = {};
    for (const kind of kinds.all()) {
      const count = kind.tableObjects(table).length;
      metrics?.tableObjects.set({ kind: kind.kind }, count);
      counts[kind.tableField] = count;
    }
    logger.info('routing table compiled', {
      version: table.version,
      hash: table.hash,
      ...counts,
      compileMs: Math.round(seconds * 1000),
      ...(published.encoded === undefined ? {} : { bytes: published.encoded.jsonBytes, gzipBytes: published.encoded.gzipBytes }),
      ...(published.delta === undefined ? {} : { deltaBytes: published.delta.frame.length }),
    });
  }

  private stateOf(table: RoutingTable, compiled: readonly ObjectDiagnostic[]): CompiledState {
    // The compile result's own diagnostics (not copies): this map and its key strings are all it adds.
    const diagnostics = new Map<string, ObjectDiagnostic>();
    for (const d of compiled) diagnostics.set(objectKeyOf(d.kind, d.namespace, d.name), d);
    const statusFields = new Map<string, Record<string, unknown>>();
    for (const kind of this.options.kinds.all()) {
      for (const [id, fields] of kind.statusFields?.(table) ?? []) if (hasMembers(fields)) statusFields.set(`${kind.kind}/${id}`, fields);
    }
    return { table, diagnostics, statusFields };
  }
}

/**
 * Keys of the objects whose status inputs (diagnostic and status fields) differ from the previous
 * compile's. Compared member by member with the previous state, which is kept anyway, rather than
 * through a per-object text or digest of them: nothing is held per object for it, and an object
 * whose diagnostic is unchanged costs a few string comparisons rather than a serialization.
 */
function statusChanges(previous: CompiledState | undefined, next: CompiledState): string[] {
  const changed: string[] = [];
  for (const [key, diagnostic] of next.diagnostics) {
    if (
      previous === undefined ||
      !sameDiagnostic(previous.diagnostics.get(key), diagnostic) ||
      !sameFields(previous.statusFields.get(key), next.statusFields.get(key))
    ) {
      changed.push(key);
    }
  }
  return changed;
}

function sameDiagnostic(a: ObjectDiagnostic | undefined, b: ObjectDiagnostic): boolean {
  if (a === undefined) return false;
  if (a === b) return true;
  if (a.kind !== b.kind || a.namespace !== b.namespace || a.name !== b.name || a.generation !== b.generation) return false;
  if (a.conditions.length !== b.conditions.length) return false;
  for (let i = 0; i < a.conditions.length; i++) {
    const x = a.conditions[i] as ObjectDiagnostic['conditions'][number];
    const y = b.conditions[i] as ObjectDiagnostic['conditions'][number];
    if (x !== y && (x.type !== y.type || x.status !== y.status || x.reason !== y.reason || x.message !== y.message)) return false;
  }
  return true;
}

/** Status fields are plain JSON data (strings, numbers, lists, records): equal when they serialize alike. */
function sameFields(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x !== y && (!Object.hasOwn(b, key) || typeof x !== 'object' || JSON.stringify(x) !== JSON.stringify(y))) return false;
  }
  return true;
}

function hasMembers(record: Record<string, unknown>): boolean {
  for (const _ in record) return true;
  return false;
}
