// The one mutable reference to the serving table. A request reads `current` once at its start
// and keeps that object to its end, so a swap never changes a request's view mid-flight.
import type { RoutingTable } from '@switchyard/compiler';
import type { ProviderRegistry } from '../providers/registry.js';
import { AffinityStore } from './affinity.js';
import { BackendHealthStore } from './backend-health.js';
import { FileCredentialStore } from './file-credentials.js';
import { credentialFiles, materializeTable, type RuntimeTable } from './runtime-table.js';

export class TableHolder {
  private table: RuntimeTable | undefined;
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

  /** Materializes and swaps in a table; throws (keeping the current one) when it cannot load. */
  load(source: RoutingTable): RuntimeTable {
    const next = materializeTable(source, { registry: this.registry, health: this.health, fileCredentials: this.fileCredentials });
    // Before the swap: the first request on the new table finds its credential files read.
    this.fileCredentials.retain(credentialFiles(source));
    this.table = next;
    return next;
  }
}
