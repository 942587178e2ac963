// One copy of each string that repeats across cached objects. JSON.parse gives every object its
// own copy of every string value: at 100,000 VirtualKeys that is 100,000 copies of "key
// compiled", of the same few lastTransitionTimes, namespaces, field managers and label values.
// The reflector replaces those strings, in the places where they repeat, by one pooled copy.
// Names, uids, resourceVersions, specs and Secret data are never pooled: they are unique (a
// pool entry would cost more than it saves) or must not outlive their object.

/** Strings longer than this are left alone (a condition message is shorter; a blob is not worth a lookup). */
const MAX_POOLED_LENGTH = 256;

export class StringPool {
  private readonly strings = new Map<string, string>();

  /** `maxEntries`: past it, strings not pooled yet are kept as they are (the pool stops growing). */
  constructor(private readonly maxEntries = 50_000) {}

  get size(): number {
    return this.strings.size;
  }

  intern(value: string): string {
    if (value.length > MAX_POOLED_LENGTH) return value;
    const pooled = this.strings.get(value);
    if (pooled !== undefined) return pooled;
    if (this.strings.size < this.maxEntries) this.strings.set(value, value);
    return value;
  }
}

type Loose = Record<string, unknown>;

function isRecord(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function internFields(target: Loose, fields: readonly string[], pool: StringPool): void {
  for (const field of fields) {
    const value = target[field];
    if (typeof value === 'string') target[field] = pool.intern(value);
  }
}

function internValues(target: unknown, pool: StringPool): void {
  // (Property names are V8's internalized strings already: only the values are copies.)
  if (isRecord(target)) internFields(target, Object.keys(target), pool);
}

const OBJECT_FIELDS = ['apiVersion', 'kind', 'type'] as const;
const METADATA_FIELDS = ['namespace', 'creationTimestamp', 'deletionTimestamp'] as const;
const MANAGED_FIELDS_FIELDS = ['manager', 'operation', 'time', 'apiVersion', 'fieldsType', 'subresource'] as const;
const OWNER_FIELDS = ['apiVersion', 'kind'] as const;
const CONDITION_FIELDS = ['type', 'status', 'reason', 'message', 'lastTransitionTime'] as const;

/**
 * Replaces, in place, the strings of a freshly decoded object that repeat across objects (kind,
 * namespace, timestamps, labels, field managers, condition texts) by their pooled copy. The
 * object must be the caller's own (just parsed, not yet shared).
 */
export function poolRepeatedStrings<T>(object: T, pool: StringPool): T {
  if (!isRecord(object)) return object;
  internFields(object, OBJECT_FIELDS, pool);
  const metadata = object['metadata'];
  if (isRecord(metadata)) {
    internFields(metadata, METADATA_FIELDS, pool);
    internValues(metadata['labels'], pool);
    for (const [list, fields] of [
      ['managedFields', MANAGED_FIELDS_FIELDS],
      ['ownerReferences', OWNER_FIELDS],
    ] as const) {
      const entries = metadata[list];
      if (Array.isArray(entries)) for (const entry of entries) if (isRecord(entry)) internFields(entry, fields, pool);
    }
  }
  const status = object['status'];
  const conditions = isRecord(status) ? status['conditions'] : undefined;
  if (Array.isArray(conditions))
    for (const condition of conditions) if (isRecord(condition)) internFields(condition, CONDITION_FIELDS, pool);
  return object;
}
