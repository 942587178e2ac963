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

export class SecretRelevance {
  private readonly byObject = new Map<string, string[]>();
  private readonly referrers = new Map<string, Set<string>>();
  private readonly stripped = new WeakSet<object>();

  /** Records the Secrets one object references (replacing what it referenced before). */
  track(objectKey: string, secretIds: readonly string[]): void {
    this.forget(objectKey);
    this.byObject.set(objectKey, [...secretIds]);
    for (const id of secretIds) {
      let set = this.referrers.get(id);
      if (!set) this.referrers.set(id, (set = new Set()));
      set.add(objectKey);
    }
  }

  forget(objectKey: string): void {
    for (const id of this.byObject.get(objectKey) ?? []) {
      const set = this.referrers.get(id);
      set?.delete(objectKey);
      if (set && set.size === 0) this.referrers.delete(id);
    }
    this.byObject.delete(objectKey);
  }

  referrersOf(secretId: string): string[] {
    return [...(this.referrers.get(secretId) ?? [])];
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
