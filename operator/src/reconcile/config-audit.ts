// Configuration audit: for every routing-table version, which objects changed since the previous
// version (kind, namespace, name, resourceVersion, and the field manager that last wrote the
// object other than its status, from managedFields), as one log line and a Kubernetes Event on each changed
// object. The Secrets counted are those a table reads; their data is never looked at here, only
// their metadata. The first table after a start is the baseline: logged with how many objects it
// covers, not as a change of each.
import { hash } from 'node:crypto';
import type { KubeObject, KubeObjectMeta } from '../kube/resources.js';
import type { Logger } from '../observe/logger.js';
import type { EventRecorder } from './event-recorder.js';

/** The most objects listed in one log line; the rest are counted (`more`). Events are rate-limited separately. */
const MAX_CHANGES_LOGGED = 100;

/** What the watches keep of `metadata.managedFields`: the newest entry that wrote more than status. */
export interface LastWriter {
  manager: string;
  operation: string;
  time?: string;
}

type Change = 'created' | 'updated' | 'deleted';

interface Revision {
  readonly key: string;
  readonly object: KubeObject;
  readonly resourceVersion: string;
  /** What a change is judged by: not the resourceVersion, which the operator's own status writes move too. */
  readonly fingerprint: string;
  /** The last tableVersion call that saw the object (those that did not see it: deleted). */
  seen: number;
}

export interface ConfigChange {
  change: Change;
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  fieldManager?: string;
  operation?: string;
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

export class ConfigAudit {
  /** Every object of the last table version; undefined before the first (the baseline). */
  private revisions: Map<string, Revision> | undefined;
  /** The revision of each object in `revisions`, by the object itself. */
  private byObject = new WeakMap<KubeObject, Revision>();
  private pass = 0;

  constructor(
    private readonly logger: Logger,
    private readonly events: EventRecorder | undefined,
  ) {}

  /**
   * Called once per new table version with the objects it was compiled from. `recordEvents`:
   * only the leader writes Events, so replicas do not each write the same one.
   */
  tableVersion(version: number, hash: string, objects: Iterable<KubeObject>, recordEvents: boolean): ConfigChange[] {
    // One map lives across versions and is updated in place. The caches replace an object on
    // every change and never mutate one, so the same object as last time is unchanged: one
    // lookup, no fingerprint. Building a new map of every object with a fingerprint each (a
    // SHA-256 per Secret) cost about 600 ms of CPU per table version at 100,000 keys, on the
    // operator's event loop, in the path of every change.
    const pass = ++this.pass;
    const baseline = this.revisions === undefined;
    const revisions = this.revisions ?? new Map<string, Revision>();
    this.revisions = revisions;
    const changes: Array<{ change: ConfigChange; object: KubeObject }> = [];
    for (const object of objects) {
      // By identity first: no key string to build and hash for the objects that did not change.
      const same = this.byObject.get(object);
      // (The key's hash is cached in its string: this lookup costs no hashing.)
      if (same !== undefined && revisions.get(same.key) === same) {
        same.seen = pass;
        continue;
      }
      const key = keyOf(object);
      const before = revisions.get(key);
      const revision: Revision = {
        key,
        object,
        resourceVersion: object.metadata.resourceVersion ?? '',
        fingerprint: fingerprintOf(object),
        seen: pass,
      };
      revisions.set(key, revision);
      this.byObject.set(object, revision);
      if (baseline || (before !== undefined && before.seen === pass)) continue; // listed twice: counted once
      if (before === undefined || before.fingerprint !== revision.fingerprint)
        changes.push({ change: describe(before === undefined ? 'created' : 'updated', revision), object });
    }
    if (baseline) {
      this.logger.info('configuration baseline', { version, hash, objects: revisions.size });
      return [];
    }
    for (const [key, revision] of revisions) {
      if (revision.seen === pass) continue;
      revisions.delete(key);
      this.byObject.delete(revision.object);
      changes.push({ change: describe('deleted', revision), object: revision.object });
    }
    if (changes.length === 0) return [];
    const listed = changes.slice(0, MAX_CHANGES_LOGGED).map(({ change }) => change);
    this.logger.info('configuration changed', {
      version,
      hash,
      changes: listed,
      ...(changes.length > listed.length ? { more: changes.length - listed.length } : {}),
    });
    if (recordEvents && this.events !== undefined) {
      for (const { change, object } of changes) {
        // A deleted object has nothing left to attach an Event to; the log line has it.
        if (change.change === 'deleted') continue;
        const by = change.fieldManager === undefined ? '' : ` by ${change.fieldManager}${change.operation ? ` (${change.operation})` : ''}`;
        this.events.record(
          object,
          'Normal',
          'ConfigurationChanged',
          `${change.change}${by} at resourceVersion ${change.resourceVersion}; in routing table version ${version}`,
        );
      }
    }
    return changes.map(({ change }) => change);
  }
}

/**
 * What the compiler reads of an object: for Switchyard kinds the spec (by its generation) and the
 * labels; for a Secret a digest of its data (never the data itself).
 */
function fingerprintOf(object: KubeObject): string {
  const meta = object.metadata;
  if (object.kind === 'Secret') {
    const data = (object as KubeObject & { data?: Record<string, string> }).data ?? {};
    const entries = Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1));
    return `${meta.uid ?? ''}:${hash('sha256', JSON.stringify(entries), 'hex')}`;
  }
  const labels = Object.entries(meta.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([meta.uid ?? '', meta.generation ?? 0, labels, meta.deletionTimestamp ?? null]);
}

function keyOf(object: KubeObject): string {
  return `${object.kind ?? ''}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function describe(change: Change, revision: Revision): ConfigChange {
  const { object } = revision;
  const writer = (object.metadata as KubeObjectMeta & { managedFields?: unknown }).managedFields;
  const last = lastWriter(writer);
  return {
    change,
    kind: object.kind ?? '',
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    resourceVersion: revision.resourceVersion,
    ...(last === undefined ? {} : { fieldManager: last.manager, operation: last.operation }),
  };
}
