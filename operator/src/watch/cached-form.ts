// The form Kubernetes objects are kept in by the watch caches: only the fields the operator reads
// (as client-go's TransformFunc does for its informers), in objects of one fixed shape, with the
// values that repeat across objects shared. At 100,000 VirtualKeys and their Secrets the caches
// are the largest thing the operator holds after the compile state; what is left out here:
// - metadata.annotations (kubectl's last-applied copy of the whole object, Helm's and Argo CD's
//   tracking): no reader. The compiler validates annotations, but the API server already has;
// - metadata.ownerReferences, finalizers, generateName, selfLink: no reader;
// - metadata.managedFields: all but the newest entry that wrote more than status, which the
//   configuration audit names (lastWriter), and that entry is shared by the objects with the
//   same one (a bulk apply writes thousands with one manager, operation and second);
// - status.conditions: kept (the status writer diffs against them, the console shows them), but
//   each distinct condition, and each distinct list of them, is one shared object: the operator
//   writes the same conditions with the same transition second to many objects at once.
// Shared values are frozen: the caches never mutate an object (the configuration audit and the
// compiler's reuse rely on that), and a frozen shared value makes a mutation fail loudly instead
// of changing other objects. They are held weakly, so a value no cached object uses any more is
// dropped rather than kept in the table for ever.
import type { KubeObject, KubeObjectMeta } from '../kube/resources.js';

/** What the watches keep of `metadata.managedFields`: the newest entry that wrote more than status. */
export interface LastWriter {
  manager: string;
  operation: string;
  time?: string;
}

/** The newest managedFields entry that is not the status subresource: who last wrote the object. */
export function lastWriter(managedFields: unknown): LastWriter | undefined {
  if (!Array.isArray(managedFields)) return undefined;
  let newest: LastWriter | undefined;
  for (const entry of managedFields as Array<Record<string, unknown>>) {
    if (entry === null || typeof entry !== 'object') continue;
    if (entry.subresource === 'status' || typeof entry.manager !== 'string') continue;
    const time = typeof entry.time === 'string' ? entry.time : undefined;
    // RFC 3339 times at one-second precision compare as strings; a later entry wins a tie.
    if (newest === undefined || (time ?? '') >= (newest.time ?? '')) {
      newest = { manager: entry.manager, operation: typeof entry.operation === 'string' ? entry.operation : '', ...(time ? { time } : {}) };
    }
  }
  return newest;
}

/** Longer keys are not shared (a condition message is capped at 4 KiB by the status writer). */
const MAX_KEY_LENGTH = 8_192;

/** One frozen copy of each distinct value, by a key the caller derives from its content; held weakly. */
export class SharedValues {
  private readonly values = new Map<string, WeakRef<object>>();
  private readonly finalizer = new FinalizationRegistry<string>((key) => {
    const ref = this.values.get(key);
    if (ref !== undefined && ref.deref() === undefined) this.values.delete(key);
  });

  /** A short id per shared value, so a value made of shared values has a short key (hashing long keys was most of the cost). */
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;

  /** `maxEntries`: past it, new values are not shared (the table stops growing). */
  constructor(private readonly maxEntries = 100_000) {}

  /** The id of a value share() returned (undefined for one it did not share). */
  idOf(value: object): number | undefined {
    return this.ids.get(value);
  }

  get size(): number {
    return this.values.size;
  }

  share<T extends object>(key: string, value: T): T {
    if (key.length > MAX_KEY_LENGTH) return value;
    const shared = this.values.get(key)?.deref();
    if (shared !== undefined) return shared as T;
    if (this.values.size >= this.maxEntries) return value;
    Object.freeze(value);
    this.ids.set(value, ++this.nextId);
    this.values.set(key, new WeakRef(value));
    this.finalizer.register(value, key);
    return value;
  }
}

const CONDITION_FIELDS = new Set(['type', 'status', 'reason', 'message', 'observedGeneration', 'lastTransitionTime']);
const SEPARATOR = '\u0000';

type Loose = Record<string, unknown>;

function isRecord(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A condition of the usual shape as one shared object; anything else as it is. */
function sharedCondition(condition: unknown, shared: SharedValues): unknown {
  if (!isRecord(condition)) return condition;
  let fields = 0;
  for (const field in condition) {
    if (!CONDITION_FIELDS.has(field)) return condition;
    fields++;
  }
  const { type, status, reason, message, observedGeneration, lastTransitionTime } = condition;
  if (typeof type !== 'string' || typeof status !== 'string') return condition;
  const key = `c${type}${SEPARATOR}${status}${SEPARATOR}${reason}${SEPARATOR}${message}${SEPARATOR}${observedGeneration}${SEPARATOR}${lastTransitionTime}`;
  // One shape for every shared condition (the usual one, all six fields); others copied as they are.
  const value =
    fields === CONDITION_FIELDS.size
      ? { type, status, reason, message, observedGeneration, lastTransitionTime }
      : Object.assign({}, condition);
  return shared.share(key, value);
}

/** status with its conditions (each, and the list) shared; other status fields as they are. */
function cachedStatus(status: unknown, shared: SharedValues): unknown {
  if (!isRecord(status) || !Array.isArray(status['conditions'])) return status;
  const values = (status['conditions'] as unknown[]).map((condition) => sharedCondition(condition, shared));
  // The list's key is its conditions' ids: short, whatever the messages' length.
  let key = 'l';
  for (const value of values) {
    const id = typeof value === 'object' && value !== null ? shared.idOf(value) : undefined;
    if (id === undefined) {
      key = '';
      break;
    }
    key += `${id},`;
  }
  const out = { ...status };
  out['conditions'] = key === '' ? values : shared.share(key, values);
  return out;
}

/** The metadata fields some reader uses, in one shape (absent ones undefined). */
function cachedMetadata(metadata: KubeObjectMeta & { managedFields?: unknown }, shared: SharedValues): KubeObjectMeta {
  const writer = lastWriter(metadata.managedFields);
  const managedFields =
    writer === undefined
      ? undefined
      : shared.share(`w${SEPARATOR}${writer.manager}${SEPARATOR}${writer.operation}${SEPARATOR}${writer.time ?? ''}`, [
          Object.freeze(writer),
        ]);
  const compact: KubeObjectMeta & { managedFields?: readonly LastWriter[] } = {
    name: metadata.name,
    namespace: metadata.namespace,
    uid: metadata.uid,
    resourceVersion: metadata.resourceVersion,
    generation: metadata.generation,
    creationTimestamp: metadata.creationTimestamp,
    deletionTimestamp: metadata.deletionTimestamp,
    labels: metadata.labels,
    managedFields,
  };
  return compact;
}

/**
 * The cached form of an object just decoded from the API server (the caller's own): metadata and
 * status as described at the top; every other top-level field (spec, data, type) as it is.
 */
export function cachedForm<T extends KubeObject>(object: T, shared: SharedValues): T {
  // A clone of the decoded object's own shape, then its two fields replaced in place.
  const out = { ...object } as T & { status?: unknown };
  out.metadata = cachedMetadata(object.metadata, shared);
  if (out.status !== undefined) out.status = cachedStatus(out.status, shared);
  return out;
}
