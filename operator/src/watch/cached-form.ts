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

  /** `maxEntries`: past it, new values are not shared (the table stops growing). */
  constructor(private readonly maxEntries = 100_000) {}

  get size(): number {
    return this.values.size;
  }

  share<T extends object>(key: string, value: T): T {
    if (key.length > MAX_KEY_LENGTH) return value;
    const shared = this.values.get(key)?.deref();
    if (shared !== undefined) return shared as T;
    if (this.values.size >= this.maxEntries) return value;
    Object.freeze(value);
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

/** A condition of the usual shape as one shared object, with its key; anything else as it is. */
function sharedCondition(condition: unknown, shared: SharedValues): { value: unknown; key: string | undefined } {
  if (!isRecord(condition)) return { value: condition, key: undefined };
  for (const field of Object.keys(condition)) if (!CONDITION_FIELDS.has(field)) return { value: condition, key: undefined };
  const { type, status, reason, message, observedGeneration, lastTransitionTime } = condition;
  if (typeof type !== 'string' || typeof status !== 'string') return { value: condition, key: undefined };
  const key = [type, status, reason, message, observedGeneration, lastTransitionTime].map((part) => String(part ?? '')).join(SEPARATOR);
  // One shape for every shared condition; absent fields stay absent.
  const value = shared.share(`c${SEPARATOR}${key}`, {
    type,
    status,
    ...(reason === undefined ? {} : { reason }),
    ...(message === undefined ? {} : { message }),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
    ...(lastTransitionTime === undefined ? {} : { lastTransitionTime }),
  });
  return { value, key };
}

/** status with its conditions (each, and the list) shared; other status fields as they are. */
function cachedStatus(status: unknown, shared: SharedValues): unknown {
  if (!isRecord(status) || !Array.isArray(status['conditions'])) return status;
  const conditions = status['conditions'] as unknown[];
  const keys: string[] = [];
  const values: unknown[] = [];
  let shareList = true;
  for (const condition of conditions) {
    const { value, key } = sharedCondition(condition, shared);
    values.push(value);
    if (key === undefined) shareList = false;
    else keys.push(key);
  }
  const list = shareList ? shared.share(`l${SEPARATOR}${keys.join(`${SEPARATOR}${SEPARATOR}`)}`, values) : values;
  return { ...status, conditions: list };
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
  const { metadata, ...rest } = object as T & { status?: unknown };
  const out = { ...rest, metadata: cachedMetadata(metadata, shared) } as T & { status?: unknown };
  if (out.status !== undefined) out.status = cachedStatus(out.status, shared);
  return out;
}
