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

/** The object keys of a table, in order, with each key's position. */
interface KeySpace {
  keys: readonly string[];
  positions: Map<string, number>;
}

interface RememberedTable {
  version: number;
  space: KeySpace;
  /** generations[i] is the generation of space.keys[i]. */
  generations: Float64Array;
}

function generationIn(table: RememberedTable, key: string): number | undefined {
  const position = table.space.positions.get(key);
  return position === undefined ? undefined : table.generations[position];
}

export class AcknowledgementTracker {
  private readonly tables = new Map<string, RememberedTable>();
  private objects: ReadonlyMap<string, ObjectDiagnostic> = new Map();
  private acknowledged = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastInputs: RefreshInputs | undefined;

  constructor(private readonly options: AcknowledgementTrackerOptions) {}

  remember(table: RoutingTable): void {
    const keys: string[] = [];
    const values: number[] = [];
    for (const kind of (this.options.kinds ?? BUILTIN_KINDS).all()) {
      for (const object of kind.tableObjects(table)) {
        keys.push(objectKeyOf(kind.kind, object.namespace, object.name));
        values.push(object.generation);
      }
    }
    // Most changes keep the set of objects: the tables then share one key space (a key string
    // and a map entry per object) and each keeps only its generations, 8 bytes an object. A
    // map of its own per table held 66-69 MB for 16 tables of 20,000 objects (the heap test).
    const newest = [...this.tables.values()].at(-1)?.space;
    const space = newest && sameKeys(newest.keys, keys) ? newest : keySpaceOf(keys, newest);
    const generations = new Float64Array(space.keys.length);
    // A key listed twice keeps its last generation, as a map would.
    for (let i = 0; i < keys.length; i++) generations[space.positions.get(keys[i] as string) as number] = values[i] as number;
    this.tables.delete(table.hash);
    this.tables.set(table.hash, { version: table.version, space, generations });
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
    const tables = snapshot.hashes.map((hash) => this.tables.get(hash));
    // What the answer depends on: the gateways, the tables they hold (as remembered now) and
    // the current objects. Gateway sessions, keepalives and other replicas' reports ask for a
    // refresh far more often than any of these changes, and a refresh walks every object: at
    // 110,000 objects that kept the operator's event loop busy for about half of the status
    // write-out after a start (docs/benchmarks.md, "The operator at 100,000 keys").
    const inputs: RefreshInputs = { gateways: snapshot.gateways, pending: snapshot.pending, tables, objects: this.objects };
    if (this.lastInputs !== undefined && sameInputs(this.lastInputs, inputs)) return;
    this.lastInputs = inputs;
    const next = new Map<string, number>();
    const complete = snapshot.gateways > 0 && snapshot.pending === 0 && tables.length > 0 && tables.every((t) => t !== undefined);
    if (complete) {
      const known = tables as RememberedTable[];
      const [first, ...rest] = known as [RememberedTable, ...RememberedTable[]];
      for (const key of this.objects.keys()) {
        const generation = generationIn(first, key);
        if (generation !== undefined && rest.every((t) => generationIn(t, key) === generation)) next.set(key, generation);
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

interface RefreshInputs {
  gateways: number;
  pending: number;
  tables: ReadonlyArray<RememberedTable | undefined>;
  objects: ReadonlyMap<string, ObjectDiagnostic>;
}

function sameInputs(a: RefreshInputs, b: RefreshInputs): boolean {
  return (
    a.gateways === b.gateways &&
    a.pending === b.pending &&
    a.objects === b.objects &&
    a.tables.length === b.tables.length &&
    a.tables.every((table, i) => table === b.tables[i])
  );
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A new key space; keys the previous one has keep its string, so tables share those. */
function keySpaceOf(keys: readonly string[], previous: KeySpace | undefined): KeySpace {
  const positions = new Map<string, number>();
  const unique: string[] = [];
  for (const key of keys) {
    if (positions.has(key)) continue;
    const known = previous?.positions.get(key);
    const shared = known === undefined ? key : (previous?.keys[known] ?? key);
    positions.set(shared, unique.length);
    unique.push(shared);
  }
  return { keys: unique, positions };
}
