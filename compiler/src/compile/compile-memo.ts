// Incremental compilation. A compile may be handed the state of the previous one
// (CompileInput.previous); every per-object step is then reused while its object is the same
// object and everything it read is the same: the Secrets and ConfigMaps it looked up (by the
// identity of their decoded entries, see secret-index.ts) and the environment (price catalog,
// standalone mode, CRD schemas). The operator hands in objects from its informer cache and
// standalone mode from its parse cache, both of which keep an unchanged object's identity, so a
// one-object change recompiles that object and what reads it, and the cross-object steps (route
// conflicts, label selection, models per namespace) run over the reused results, which is cheap.
//
// The table is built from the reused pieces with structural sharing: an entry equal to the
// previous table's entry of that id *is* that entry (share), so the old
// table's unchanged entries live on in the new one, and the table-stream index (whose entry hashes
// the content hash is made from, table-json.ts) reuses their hashes. Reused results are never
// mutated: a step that adds to a compiled object makes a new one.

import type { TableContent, TableIndex } from '../common/table-delta.js';
import type { ConfigMapIndex, DecodedCache, SecretIndex } from './secret-index.js';

type Entries = ReadonlyMap<string, string>;

interface Read {
  configMap: boolean;
  id: string;
  value: Entries | undefined;
}

const NO_READS: readonly Read[] = [];

interface MemoRecord {
  step: string;
  /**
   * What the step looked up: a single read is kept as it is (a key reads its one Secret), more
   * as a list, so the common record holds no array besides.
   */
  reads: Read | readonly Read[];
  result?: unknown;
  error?: unknown;
}

function readsOf(reads: Read[]): Read | readonly Read[] {
  return reads.length === 0 ? NO_READS : reads.length === 1 ? (reads[0] as Read) : reads;
}

/** The Secret and ConfigMap indexes of a compile with the lists they were built from. */
interface CompileIndexes {
  secretInput: readonly object[];
  configMapInput: readonly object[];
  secrets: Map<string, Entries>;
  configMaps: Map<string, Entries>;
  /** The lists were the previous compile's: every read of the previous compile still holds. */
  unchanged: boolean;
}

/** What one compile leaves for the next; opaque outside the compiler. */
export class CompileState {
  /** @internal */
  constructor(
    readonly environment: readonly unknown[],
    readonly secrets: DecodedCache,
    readonly configMaps: DecodedCache,
    readonly admitted: Map<object, unknown>,
    readonly memo: Map<object, MemoRecord>,
    readonly entries: Map<string, Map<string, { entry: object; inputs?: readonly unknown[] }>>,
    readonly values: Map<string, unknown>,
    readonly indexes: CompileIndexes,
  ) {}

  /** The compiled table's content and its index: the next index reuses the hashes of entries that are the same objects. */
  table: { content: TableContent; index: TableIndex } | undefined;
}

/** Same items, compared with ===. */
function sameEnvironment(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/**
 * Equal plain data: the same value, or arrays / records whose items / members are equal. Members
 * that are the same object (the common case for reused pieces) are not looked into, so comparing
 * an unchanged entry costs one pass over its top-level members.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  const recordA = a as Record<string, unknown>;
  const recordB = b as Record<string, unknown>;
  const keys = Object.keys(recordA);
  if (keys.length !== Object.keys(recordB).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(recordB, key) || !sameValue(recordA[key], recordB[key])) return false;
  }
  return true;
}

export class CompileMemo {
  readonly next: CompileState;
  private readonly previous: CompileState | undefined;

  constructor(
    environment: readonly unknown[],
    previous: CompileState | undefined,
    private readonly secrets: SecretIndex,
    private readonly configMaps: ConfigMapIndex,

    decoded: { secrets: DecodedCache; configMaps: DecodedCache },
    indexes: CompileIndexes,
  ) {
    this.previous = previous && sameEnvironment(previous.environment, environment) ? previous : undefined;
    this.readsUnchanged = indexes.unchanged;
    this.next = new CompileState(environment, decoded.secrets, decoded.configMaps, new Map(), new Map(), new Map(), new Map(), indexes);
  }

  private readonly readsUnchanged: boolean;

  /** Decoded entries and indexes of the previous compile (valid whatever the environment: they depend on the objects alone). */
  static decodedOf(previous: CompileState | undefined): { secrets?: DecodedCache; configMaps?: DecodedCache; indexes?: CompileIndexes } {
    return previous ? { secrets: previous.secrets, configMaps: previous.configMaps, indexes: previous.indexes } : {};
  }

  /** Schema validation of `object`, reused while the object is the same. */
  admitted<R>(object: object, validate: () => R): R {
    const previous = this.previous?.admitted;
    let result: R;
    if (previous?.has(object)) result = previous.get(object) as R;
    else result = validate();
    this.next.admitted.set(object, result);
    return result;
  }

  /**
   * `compute(secrets, configMaps)` for `manifest`, or its result from the previous compile when
   * the manifest is the same object, compiled by the same step, and every Secret and ConfigMap it
   * looked up is the same. A thrown error is remembered and thrown again.
   */
  once<R>(step: string, manifest: object, compute: (secrets: SecretIndex, configMaps: ConfigMapIndex) => R): R {
    const record = this.previous?.memo.get(manifest);
    if (record !== undefined && record.step === step && this.stillReads(record.reads)) {
      this.next.memo.set(manifest, record);
      if ('error' in record) throw record.error;
      return record.result as R;
    }
    // One pair of recording indexes for every call (no closures per object): compute runs to
    // completion before the next call, and reads go to a fresh list only when there are any.
    const reads: Read[] = [];
    this.reads = reads;
    try {
      const result = compute(this.trackedSecrets, this.trackedConfigMaps);
      this.next.memo.set(manifest, { step, reads: readsOf(reads), result });
      return result;
    } catch (error) {
      this.next.memo.set(manifest, { step, reads: readsOf(reads), error });
      throw error;
    } finally {
      this.reads = undefined;
    }
  }

  private reads: Read[] | undefined;

  private readonly trackedSecrets: SecretIndex = {
    get: (id) => {
      const value = this.secrets.get(id);
      this.reads?.push({ configMap: false, id, value });
      return value;
    },
  };

  private readonly trackedConfigMaps: ConfigMapIndex = {
    get: (id) => {
      const value = this.configMaps.get(id);
      this.reads?.push({ configMap: true, id, value });
      return value;
    },
  };

  private stillReads(reads: Read | readonly Read[]): boolean {
    if (this.readsUnchanged) return true;
    if (!Array.isArray(reads)) return this.stillRead(reads as Read);
    for (const read of reads as readonly Read[]) if (!this.stillRead(read)) return false;
    return true;
  }

  private stillRead(read: Read): boolean {
    return (read.configMap ? this.configMaps : this.secrets).get(read.id) === read.value;
  }

  /**
   * The table entry `collection`/`id`: the previous table's entry when it equals `candidate`
   * (structural sharing), else `candidate`.
   */
  share<T extends object>(collection: string, id: string, candidate: T, inputs?: readonly unknown[]): T {
    const previous = this.previous?.entries.get(collection)?.get(id)?.entry;
    const chosen = previous !== undefined && sameValue(previous, candidate) ? (previous as T) : candidate;
    let entries = this.next.entries.get(collection);
    if (!entries) this.next.entries.set(collection, (entries = new Map()));
    entries.set(id, inputs === undefined ? { entry: chosen } : { entry: chosen, inputs });
    return chosen;
  }

  /**
   * The table entry `collection`/`id` made by `build` from inputs `a` to `d`: the previous
   * compile's entry when it was made from the same inputs (compared with ===), without building
   * anything; else what `build` makes, shared as share() does. Four inputs as arguments rather than
   * a list: a reused entry (once per key and compile) then allocates nothing.
   */
  derive<T extends object>(collection: string, id: string, a: unknown, b: unknown, c: unknown, d: unknown, build: () => T): T {
    const previous = this.previous?.entries.get(collection)?.get(id);
    const inputs = previous?.inputs;
    if (inputs?.length === 4 && inputs[0] === a && inputs[1] === b && inputs[2] === c && inputs[3] === d) {
      let entries = this.next.entries.get(collection);
      if (!entries) this.next.entries.set(collection, (entries = new Map()));
      entries.set(id, previous as { entry: object; inputs?: readonly unknown[] });
      return previous?.entry as T;
    }
    return this.share(collection, id, build(), [a, b, c, d]);
  }

  /** A named value (an array or record) kept from the previous compile while it is equal. */
  stable<T>(name: string, candidate: T): T {
    const previous = this.previous?.values.get(name);
    const chosen = previous !== undefined && sameValue(previous, candidate) ? (previous as T) : candidate;
    this.next.values.set(name, chosen);
    return chosen;
  }

  /**
   * `items` sorted by `compare` (a total order), reusing the previous compile's sort under
   * `name`. When `items` is the previous input with a few items replaced (the same list from a
   * cache with some objects changed), the previous output is patched: each replacement takes its
   * predecessor's place if it sorts there. Otherwise items whose key was there keep their order and
   * new ones are put in by binary search. Sorting 100,000 objects again for a one-object change
   * would cost more than the rest of the change. Falls back to a plain (stable) sort when many
   * items are new or two items compare equal (their order would then depend on the input order).
   * `items` must not be changed after the call (the next compile compares against it).
   */
  sorted<T>(name: string, items: readonly T[], keyOf: (item: T) => unknown, compare: (a: T, b: T) => number): T[] {
    const slot = `sorted\u0000${name}`;
    const previous = this.previous?.values.get(slot) as { input: readonly T[]; output: readonly T[] } | undefined;
    let sorted = previous === undefined ? undefined : patch(previous.input, previous.output, items, compare);
    let checked = sorted !== undefined;
    // The previous order's keys are worked out here rather than kept: this path is taken only
    // when objects came or went, and keeping them cost an array per sort in every state.
    if (sorted === undefined && previous !== undefined) sorted = resort(previous.output.map(keyOf), items, keyOf, compare);
    if (sorted === undefined) {
      sorted = [...items].sort(compare);
      checked = false;
    }
    // An order with ties is not reused: a plain sort orders tied items by input order. (A patched
    // order needs no check: it was free of ties and every replacement was checked against its neighbours.)
    let ties = false;
    for (let i = 1; i < sorted.length && !checked && !ties; i++) ties = compare(sorted[i - 1] as T, sorted[i] as T) === 0;
    // `items` is kept as it is (not copied): callers hand in a list they no longer change.
    if (!ties) this.next.values.set(slot, { input: items, output: sorted });
    return sorted;
  }

  /** A value remembered under `name` by the previous compile (see remember). */
  recall(name: string): unknown {
    return this.previous?.values.get(name);
  }

  /** What this compile remembered under `name` so far. */
  current(name: string): unknown {
    return this.next.values.get(name);
  }

  remember(name: string, value: unknown): void {
    this.next.values.set(name, value);
  }
}

/** The order of `previousKeys` kept for the items still there, new items inserted; undefined: sort instead. */
function resort<T>(
  previousKeys: readonly unknown[],
  items: readonly T[],
  keyOf: (item: T) => unknown,
  compare: (a: T, b: T) => number,
): T[] | undefined {
  const remaining = new Map<unknown, T>();
  for (const item of items) {
    const key = keyOf(item);
    if (remaining.has(key)) return undefined;
    remaining.set(key, item);
  }
  const sorted: T[] = [];
  for (const key of previousKeys) {
    const item = remaining.get(key);
    if (item === undefined) continue;
    sorted.push(item);
    remaining.delete(key);
  }
  if (remaining.size > 64 && remaining.size * 8 > items.length) return undefined;
  for (const item of remaining.values()) {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compare(sorted[middle] as T, item);
      if (order === 0) return undefined;
      if (order < 0) low = middle + 1;
      else high = middle;
    }
    if (low > 0 && compare(sorted[low - 1] as T, item) === 0) return undefined;
    if (low < sorted.length && compare(item, sorted[low] as T) === 0) return undefined;
    sorted.splice(low, 0, item);
  }
  return sorted;
}

/** Patches `output` (sorted `input`) for `items` = `input` with up to 64 items replaced; undefined when it cannot. */
function patch<T>(input: readonly T[], output: readonly T[], items: readonly T[], compare: (a: T, b: T) => number): T[] | undefined {
  if (input.length !== items.length) return undefined;
  const changed: number[] = [];
  for (let i = 0; i < items.length; i++) {
    if (items[i] !== input[i]) {
      changed.push(i);
      if (changed.length > 64) return undefined;
    }
  }
  if (changed.length === 0) return [...output];
  const patched = [...output];
  for (const i of changed) {
    const old = input[i] as T;
    const item = items[i] as T;
    // Where the replaced item was: the output is free of ties, so compare finds exactly it.
    let low = 0;
    let high = patched.length - 1;
    let at = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = compare(patched[middle] as T, old);
      if (order === 0) {
        at = middle;
        break;
      }
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    if (at < 0 || patched[at] !== old) return undefined;
    if (at > 0 && compare(patched[at - 1] as T, item) >= 0) return undefined;
    if (at < patched.length - 1 && compare(item, patched[at + 1] as T) >= 0) return undefined;
    patched[at] = item;
  }
  return patched;
}
