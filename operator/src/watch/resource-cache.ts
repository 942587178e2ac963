// One resource type across the watched namespaces: a reflector per namespace, or one for the
// whole cluster when no namespace is given, behind one lookup interface.
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeObject, ResourceType } from '../kube/resources.js';
import type { Logger } from '../observe/logger.js';
import { Reflector, type StoreEvent } from './reflector.js';

export interface WatchTuning {
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  inactivityTimeoutMs?: number;
  watchTimeoutSeconds?: [number, number];
}

export interface ResourceCacheOptions<T extends KubeObject> extends WatchTuning {
  client: KubeClient;
  type: ResourceType;
  /** Undefined: all namespaces (one cluster-wide watch). */
  namespaces: readonly string[] | undefined;
  logger: Logger;
  onEvent(event: StoreEvent<T>): void;
  onListed?(): void;
  onError?(reason: string): void;
  transform?(object: T): T;
}

export class ResourceCache<T extends KubeObject> {
  private readonly reflectors = new Map<string, Reflector<T>>();
  private readonly clusterWide: Reflector<T> | undefined;

  constructor(options: ResourceCacheOptions<T>) {
    const make = (namespace?: string): Reflector<T> =>
      new Reflector<T>({
        client: options.client,
        type: options.type,
        ...(namespace !== undefined ? { namespace } : {}),
        logger: options.logger,
        onEvent: options.onEvent,
        ...(options.onListed ? { onListed: options.onListed } : {}),
        onError: (reason) => options.onError?.(reason),
        ...(options.transform ? { transform: options.transform } : {}),
        ...(options.backoffInitialMs !== undefined ? { backoffInitialMs: options.backoffInitialMs } : {}),
        ...(options.backoffMaxMs !== undefined ? { backoffMaxMs: options.backoffMaxMs } : {}),
        ...(options.inactivityTimeoutMs !== undefined ? { inactivityTimeoutMs: options.inactivityTimeoutMs } : {}),
        ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
      });
    if (options.namespaces === undefined) {
      this.clusterWide = make();
    } else {
      for (const namespace of new Set(options.namespaces)) this.reflectors.set(namespace, make(namespace));
    }
  }

  private all(): Reflector<T>[] {
    return this.clusterWide ? [this.clusterWide] : [...this.reflectors.values()];
  }

  start(): void {
    for (const reflector of this.all()) reflector.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((reflector) => reflector.stop()));
  }

  get synced(): boolean {
    return this.all().every((reflector) => reflector.synced);
  }

  get(namespace: string, name: string): T | undefined {
    const reflector = this.clusterWide ?? this.reflectors.get(namespace);
    return reflector?.store.get(`${namespace}/${name}`);
  }

  /** Whether objects of this namespace are watched at all. */
  covers(namespace: string): boolean {
    return this.clusterWide !== undefined || this.reflectors.has(namespace);
  }

  *values(): IterableIterator<T> {
    for (const reflector of this.all()) yield* reflector.store.values();
  }

  get size(): number {
    let size = 0;
    for (const reflector of this.all()) size += reflector.store.size;
    return size;
  }

  replaceIfCurrent(object: T): boolean {
    const reflector = this.clusterWide ?? this.reflectors.get(object.metadata.namespace ?? '');
    return reflector?.replaceIfCurrent(object) ?? false;
  }
}
