// Programmed bookkeeping. The table server (and, with several replicas, the other replicas'
// reports) say which table hash each connected gateway acknowledged; the tracker remembers the
// generation of every object in recent tables, and works out for each object the generation
// that every connected gateway holds. Only upgrades are reported: they are what Programmed=True
// needs, written once per generation.
import { BUILTIN_KINDS, type KindRegistry, type ObjectDiagnostic, type RoutingTable } from '@switchyard/compiler';
import { objectKeyOf } from './object-keys.js';

export interface AckSnapshot {
  /** Connected gateways. */
  gateways: number;
  /** Gateways that have not acknowledged any table yet. */
  pending: number;
  /** The distinct table hashes the other gateways acknowledged last. */
  hashes: string[];
}

export interface AckSource {
  snapshot(): AckSnapshot;
}

export interface AcknowledgementTrackerOptions {
  source: AckSource;
  /** Object keys whose acknowledged generation moved forward. */
  onChanged(keys: string[]): void;
  onAcknowledgedVersion?(version: number): void;
  /** Tables remembered by hash; gateways lagging further behind count as not acknowledged. */
  historySize?: number;
  debounceMs?: number;
  /** Whose objects a table holds; defaults to the built-in kinds. */
  kinds?: KindRegistry;
}

interface RememberedTable {
  version: number;
  generations: Map<string, number>;
}

export class AcknowledgementTracker {
  private readonly tables = new Map<string, RememberedTable>();
  private objects: ReadonlyMap<string, ObjectDiagnostic> = new Map();
  private acknowledged = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: AcknowledgementTrackerOptions) {}

  remember(table: RoutingTable): void {
    const generations = new Map<string, number>();
    for (const kind of (this.options.kinds ?? BUILTIN_KINDS).all()) {
      for (const object of kind.tableObjects(table))
        generations.set(objectKeyOf(kind.kind, object.namespace, object.name), object.generation);
    }
    this.tables.delete(table.hash);
    this.tables.set(table.hash, { version: table.version, generations });
    const limit = this.options.historySize ?? 16;
    while (this.tables.size > limit) this.tables.delete(this.tables.keys().next().value as string);
  }

  setCurrentObjects(objects: ReadonlyMap<string, ObjectDiagnostic>): void {
    this.objects = objects;
    this.refreshSoon();
  }

  acknowledgedGeneration(key: string): number | undefined {
    return this.acknowledged.get(key);
  }

  refreshSoon(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, this.options.debounceMs ?? 100);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  refresh(): void {
    const snapshot = this.options.source.snapshot();
    const next = new Map<string, number>();
    const tables = snapshot.hashes.map((hash) => this.tables.get(hash));
    const complete = snapshot.gateways > 0 && snapshot.pending === 0 && tables.length > 0 && tables.every((t) => t !== undefined);
    if (complete) {
      const known = tables as RememberedTable[];
      const [first, ...rest] = known as [RememberedTable, ...RememberedTable[]];
      for (const key of this.objects.keys()) {
        const generation = first.generations.get(key);
        if (generation !== undefined && rest.every((t) => t.generations.get(key) === generation)) next.set(key, generation);
      }
      this.options.onAcknowledgedVersion?.(Math.min(...known.map((t) => t.version)));
    } else {
      this.options.onAcknowledgedVersion?.(0);
    }
    const moved: string[] = [];
    for (const [key, generation] of next) if (this.acknowledged.get(key) !== generation) moved.push(key);
    this.acknowledged = next;
    if (moved.length > 0) this.options.onChanged(moved);
  }
}
