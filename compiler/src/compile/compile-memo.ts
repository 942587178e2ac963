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
// table's unchanged entries live on in the new one, the table-stream index reuses their hashes,
// and their canonical JSON is reused for the content hash (table-json.ts). Reused results are
// never mutated: a step that adds to a compiled object makes a new one.

import type { ConfigMapIndex, DecodedCache, SecretIndex } from './secret-index.js';

type Entries = ReadonlyMap<string, string>;

interface Read {
  configMap: boolean;
  id: string;
  value: Entries | undefined;
}

interface MemoRecord {
  step: string;
  reads: readonly Read[];
  result?: unknown;
  error?: unknown;
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
    readonly entries: Map<string, Map<string, object>>,
    readonly values: Map<string, unknown>,
    readonly json: Map<string, Map<string, { entry: unknown; json: string }>>,
  ) {}
}

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
  ) {
    this.previous = previous && sameEnvironment(previous.environment, environment) ? previous : undefined;
    this.next = new CompileState(environment, decoded.secrets, decoded.configMaps, new Map(), new Map(), new Map(), new Map(), new Map());
  }

  /** Decoded entries of the previous compile (valid whatever the environment: they depend on the object alone). */
  static decodedOf(previous: CompileState | undefined): { secrets?: DecodedCache; configMaps?: DecodedCache } {
    return previous ? { secrets: previous.secrets, configMaps: previous.configMaps } : {};
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
    const reads: Read[] = [];
    const track = (index: SecretIndex, configMap: boolean): SecretIndex => ({
      get: (id) => {
        const value = index.get(id);
        reads.push({ configMap, id, value });
        return value;
      },
    });
    try {
      const result = compute(track(this.secrets, false), track(this.configMaps, true));
      this.next.memo.set(manifest, { step, reads, result });
      return result;
    } catch (error) {
      this.next.memo.set(manifest, { step, reads, error });
      throw error;
    }
  }

  private stillReads(reads: readonly Read[]): boolean {
    for (const read of reads) {
      if ((read.configMap ? this.configMaps : this.secrets).get(read.id) !== read.value) return false;
    }
    return true;
  }

  /**
   * The table entry `collection`/`id`: the previous table's entry when it equals `candidate`
   * (structural sharing), else `candidate`.
   */
  share<T extends object>(collection: string, id: string, candidate: T): T {
    const previous = this.previous?.entries.get(collection)?.get(id);
    const chosen = previous !== undefined && sameValue(previous, candidate) ? (previous as T) : candidate;
    let entries = this.next.entries.get(collection);
    if (!entries) this.next.entries.set(collection, (entries = new Map()));
    entries.set(id, chosen);
    return chosen;
  }

  /** A named value (an array or record) kept from the previous compile while it is equal. */
  stable<T>(name: string, candidate: T): T {
    const previous = this.previous?.values.get(name);
    const chosen = previous !== undefined && sameValue(previous, candidate) ? (previous as T) : candidate;
    this.next.values.set(name, chosen);
    return chosen;
  }

  /** A value remembered under `name` by the previous compile (see remember). */
  recall(name: string): unknown {
    return this.previous?.values.get(name);
  }

  remember(name: string, value: unknown): void {
    this.next.values.set(name, value);
  }

  /** The canonical JSON cache of the previous compile's entries (table-json.ts). */
  get previousJson(): CompileState['json'] | undefined {
    return this.previous?.json;
  }
}
