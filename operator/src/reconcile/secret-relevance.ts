// Which Secrets the operator cares about: those a ModelRoute or VirtualKey references, and
// those it generated (labelled as ours). The Secret watch sees every Secret of the watched
// namespaces (RBAC cannot narrow it), but the cache keeps data only for relevant ones; the
// rest are held as metadata, so a namespace full of Helm release Secrets costs little memory.
// ConfigMaps (MCPServer OpenAPI documents) are kept the same way, by a second instance.
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './generated-secrets.js';

/** A Secret or ConfigMap: metadata plus the data fields dropped from irrelevant ones. */
interface DataObject {
  metadata: { namespace?: string; name: string; labels?: Record<string, string> };
  data?: unknown;
  stringData?: unknown;
  binaryData?: unknown;
}

/** One entry, or several: almost every VirtualKey references one Secret, referenced by it alone. */
type OneOrMore = string | readonly string[];
/** One referrer, or a set of them (a provider Secret thousands of ModelRoutes share). */
type OneOrSet = string | Set<string>;

function* each(value: OneOrMore | OneOrSet | undefined): Generator<string> {
  if (value === undefined) return;
  if (typeof value === 'string') yield value;
  else yield* value;
}

export class SecretRelevance {
  // A string where there is one entry: at 100,000 keys an array per object and a Set per Secret
  // were about 450 bytes of heap per VirtualKey.
  private readonly byObject = new Map<string, OneOrMore>();
  private readonly referrers = new Map<string, OneOrSet>();
  private readonly stripped = new WeakSet<object>();

  /** Records the Secrets one object references (replacing what it referenced before). */
  track(objectKey: string, secretIds: readonly string[]): void {
    this.forget(objectKey);
    const ids = [...new Set(secretIds)];
    if (ids.length === 0) return;
    this.byObject.set(objectKey, ids.length === 1 ? (ids[0] as string) : ids);
    for (const id of ids) {
      const current = this.referrers.get(id);
      if (current === undefined) this.referrers.set(id, objectKey);
      else if (typeof current !== 'string') current.add(objectKey);
      else if (current !== objectKey) this.referrers.set(id, new Set([current, objectKey]));
    }
  }

  forget(objectKey: string): void {
    for (const id of each(this.byObject.get(objectKey))) {
      const current = this.referrers.get(id);
      if (current === undefined) continue;
      if (typeof current === 'string') {
        if (current === objectKey) this.referrers.delete(id);
        continue;
      }
      current.delete(objectKey);
      if (current.size === 1) this.referrers.set(id, current.values().next().value as string);
      else if (current.size === 0) this.referrers.delete(id);
    }
    this.byObject.delete(objectKey);
  }

  referrersOf(secretId: string): string[] {
    return [...each(this.referrers.get(secretId))];
  }

  get referencedCount(): number {
    return this.referrers.size;
  }

  isRelevant(secretId: string, labels: Record<string, string> | undefined): boolean {
    return this.referrers.has(secretId) || labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
  }

  /** The form a Secret is cached in: whole when relevant, metadata only otherwise. */
  shape<T extends DataObject>(secret: T): T {
    const id = `${secret.metadata.namespace ?? ''}/${secret.metadata.name}`;
    if (this.isRelevant(id, secret.metadata.labels)) return secret;
    return this.strip(secret);
  }

  strip<T extends DataObject>(secret: T): T {
    const { data: _data, stringData: _stringData, binaryData: _binaryData, ...rest } = secret;
    const stripped = { ...rest } as T;
    this.stripped.add(stripped);
    return stripped;
  }

  isStripped(secret: object): boolean {
    return this.stripped.has(secret);
  }
}
