// The one mutable reference to the serving table. A request reads `current` once at its start
// and keeps that object to its end, so a swap never changes a request's view mid-flight.
import type { RoutingTable } from '@switchyard/compiler';
import type { ProviderRegistry } from '../providers/registry.js';
import { AffinityStore } from './affinity.js';
import { BackendHealthStore } from './backend-health.js';
import { FileCredentialStore } from './file-credentials.js';
import { credentialFiles, materializeIncrementally, type MaterializedTable, type RuntimeTable } from './runtime-table.js';

export class TableHolder {
  private table: RuntimeTable | undefined;
  /** The serving table with what the next load reuses (a delta's unchanged entries keep their runtime objects). */
  private materialized: MaterializedTable | undefined;
  private readonly health = new BackendHealthStore();
  /** Conversations' backends for routes with affinity; kept across table swaps like health. */
  readonly affinity = new AffinityStore();
  /** Backend credentials read from files (vault CSI mounts), watched while a loaded table names them. */
  readonly fileCredentials = new FileCredentialStore();

  constructor(private readonly registry: ProviderRegistry) {}

  get current(): RuntimeTable | undefined {
    return this.table;
  }

  get ready(): boolean {
    return this.table !== undefined;
  }

  /**
   * Materializes and swaps in a table; throws (keeping the current one) when it cannot load.
   * Entries of `source` that are the serving source's own objects (what a delta leaves
   * unchanged) keep their runtime objects: only the changed ones are rebuilt.
   */
  load(source: RoutingTable): RuntimeTable {
    const options = { registry: this.registry, health: this.health, fileCredentials: this.fileCredentials };
    const next = materializeIncrementally(source, options, this.materialized);
    // Before the swap: the first request on the new table finds its credential files read.
    if (this.materialized === undefined || this.materialized.source.routes !== source.routes)
      this.fileCredentials.retain(credentialFiles(source));
    this.materialized = next;
    this.table = next.table;
    return next.table;
  }
}
