// Configuration audit: for every routing-table version, which objects changed since the previous
// version (kind, namespace, name, resourceVersion, and the field manager that last wrote the
// object other than its status, from managedFields), as one log line and a Kubernetes Event on each changed
// object. The Secrets counted are those a table reads; their data is never looked at here, only
// their metadata. The first table after a start is the baseline: logged with how many objects it
// covers, not as a change of each.
import { hash } from 'node:crypto';
import type { KubeObject, KubeObjectMeta } from '../kube/resources.js';
import type { Logger } from '../observe/logger.js';
import { lastWriter } from '../watch/cached-form.js';
import type { EventRecorder } from './event-recorder.js';

/** The most objects listed in one log line; the rest are counted (`more`). Events are rate-limited separately. */
const MAX_CHANGES_LOGGED = 100;

type Change = 'created' | 'updated' | 'deleted';

/**
 * What the audit keeps per object between table versions: the object the last version was
 * compiled from (the caches hold it anyway until it changes) and the last pass that saw it. No
 * fingerprint is kept: the caches replace an object on every change and never mutate one, so
 * the object itself says what it was, and a fingerprint is computed only for an object that was
 * replaced, from the two objects (at 200,000 objects a fingerprint string each was about 25 MB,
 * and the baseline's SHA-256 per Secret a second of CPU at start).
 */
interface Revision {
  object: KubeObject;
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

export class ConfigAudit {
  /** Every object of the last table version by kind/namespace/name; undefined before the first (the baseline). */
  private revisions: Map<string, Revision> | undefined;
  /** The key of each object in `revisions`, by the object itself. */
  private byObject = new WeakMap<KubeObject, string>();
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
    // One map lives across versions and is updated in place. The same object as last time is
    // unchanged: one lookup by identity, no key string built, no fingerprint. Building a new map
    // of every object with a fingerprint each (a SHA-256 per Secret) cost about 600 ms of CPU
    // per table version at 100,000 keys, on the operator's event loop, in the path of every change.
    const pass = ++this.pass;
    const baseline = this.revisions === undefined;
    const revisions = this.revisions ?? new Map<string, Revision>();
    this.revisions = revisions;
    const changes: Array<{ change: ConfigChange; object: KubeObject }> = [];
    for (const object of objects) {
      const knownKey = this.byObject.get(object);
      // (The key's hash is cached in its string: this lookup costs no hashing.)
      const known = knownKey === undefined ? undefined : revisions.get(knownKey);
      if (known !== undefined && known.object === object) {
        known.seen = pass;
        continue;
      }
      const key = keyOf(object);
      const before = revisions.get(key);
      const seenTwice = before !== undefined && before.seen === pass; // listed twice: counted once
      if (before === undefined) revisions.set(key, { object, seen: pass });
      else {
        if (!baseline && !seenTwice && fingerprintOf(before.object) !== fingerprintOf(object))
          changes.push({ change: describe('updated', object), object });
        this.byObject.delete(before.object);
        before.object = object;
        before.seen = pass;
      }
      this.byObject.set(object, key);
      if (!baseline && before === undefined) changes.push({ change: describe('created', object), object });
    }
    if (baseline) {
      this.logger.info('configuration baseline', { version, hash, objects: revisions.size });
      return [];
    }
    for (const [key, revision] of revisions) {
      if (revision.seen === pass) continue;
      revisions.delete(key);
      this.byObject.delete(revision.object);
      changes.push({ change: describe('deleted', revision.object), object: revision.object });
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

function describe(change: Change, object: KubeObject): ConfigChange {
  const writer = (object.metadata as KubeObjectMeta & { managedFields?: unknown }).managedFields;
  const last = lastWriter(writer);
  return {
    change,
    kind: object.kind ?? '',
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    resourceVersion: object.metadata.resourceVersion ?? '',
    ...(last === undefined ? {} : { fieldManager: last.manager, operation: last.operation }),
  };
}
