// One watch per registered kind plus the Secret and ConfigMap watches, behind one interface: the controller asks
// for "every object" or "the cache of this kind" and never names a kind. Objects are cached in
// the form watch/cached-form.ts gives them: the fields the operator reads, repeated values shared.
import type { ConfigMapManifest, KindDefinition, KindObject, KindRegistry, SecretManifest } from '@switchyard/compiler';
import type { KubeClient } from '../kube/kube-client.js';
import { CONFIG_MAPS, kindResourceType, SECRETS, SERVICE_ACCOUNTS, type KubeObject } from '../kube/resources.js';
import type { Logger } from '../observe/logger.js';
import type { OperatorMetrics } from '../observe/operator-metrics.js';
import { cachedForm, SharedValues } from '../watch/cached-form.js';
import type { StoreEvent } from '../watch/reflector.js';
import { ResourceCache, type WatchTuning } from '../watch/resource-cache.js';

/** One table of shared values (condition lists, last writers) for every cache: kinds share them too. */
const SHARED_VALUES = new SharedValues();

export type CrObject = KindObject & KubeObject & { status?: Record<string, unknown> };
export type SecretObject = SecretManifest & KubeObject;
export type ConfigMapObject = ConfigMapManifest & KubeObject;

export interface KindWatchesOptions {
  client: KubeClient;
  kinds: KindRegistry;
  /** Undefined: every namespace. */
  namespaces: readonly string[] | undefined;
  logger: Logger;
  metrics?: OperatorMetrics;
  watch?: WatchTuning;
  onObjectEvent(kind: KindDefinition, event: StoreEvent<CrObject>): void;
  onSecretEvent(event: StoreEvent<SecretObject>): void;
  onConfigMapEvent(event: StoreEvent<ConfigMapObject>): void;
  /** A ServiceAccount appeared or went away (VirtualKey subjects bind them by uid). */
  onServiceAccountEvent(event: StoreEvent<KubeObject>): void;
  /** A watch finished a list. */
  onListed(): void;
  /** The form a Secret is cached in (data kept only for relevant ones). */
  shapeSecret(secret: SecretObject): SecretObject;
  /** The form a ConfigMap is cached in (data kept only for those an MCPServer references). */
  shapeConfigMap(configMap: ConfigMapObject): ConfigMapObject;
}

export class KindWatches {
  private readonly caches = new Map<string, ResourceCache<CrObject>>();
  readonly secrets: ResourceCache<SecretObject>;
  readonly configMaps: ResourceCache<ConfigMapObject>;
  /** ServiceAccounts, names and uids only: a bound subject is compiled with its ServiceAccount's uid. */
  readonly serviceAccounts: ResourceCache<KubeObject>;
  private secretsStarted = false;

  constructor(options: KindWatchesOptions) {
    const common = {
      client: options.client,
      namespaces: options.namespaces,
      logger: options.logger,
      onListed: () => options.onListed(),
      ...(options.watch ?? {}),
    };
    for (const kind of options.kinds.all()) {
      const type = kindResourceType(kind);
      this.caches.set(
        kind.kind,
        new ResourceCache<CrObject>({
          ...common,
          type,
          onEvent: (event) => options.onObjectEvent(kind, event),
          onError: (reason) => options.metrics?.watchErrors.inc({ resource: type.plural, reason }),
          transform: compact,
        }),
      );
    }
    this.secrets = new ResourceCache<SecretObject>({
      ...common,
      type: SECRETS,
      onEvent: (event) => options.onSecretEvent(event),
      onError: (reason) => options.metrics?.watchErrors.inc({ resource: 'secrets', reason }),
      transform: (secret) => options.shapeSecret(compact(secret)),
    });
    this.configMaps = new ResourceCache<ConfigMapObject>({
      ...common,
      type: CONFIG_MAPS,
      onEvent: (event) => options.onConfigMapEvent(event),
      onError: (reason) => options.metrics?.watchErrors.inc({ resource: 'configmaps', reason }),
      transform: (configMap) => options.shapeConfigMap(compact(configMap)),
    });
    this.serviceAccounts = new ResourceCache<KubeObject>({
      ...common,
      type: SERVICE_ACCOUNTS,
      onEvent: (event) => options.onServiceAccountEvent(event),
      onError: (reason) => options.metrics?.watchErrors.inc({ resource: 'serviceaccounts', reason }),
      transform: identityOnly,
    });
  }

  /** Every kind's watch has listed once. */
  get kindsSynced(): boolean {
    return [...this.caches.values()].every((cache) => cache.synced);
  }

  get synced(): boolean {
    return this.kindsSynced && this.secrets.synced && this.configMaps.synced && this.serviceAccounts.synced;
  }

  /** `namespace/name` -> uid of every ServiceAccount watched. */
  serviceAccountUids(): Map<string, string> {
    const uids = new Map<string, string>();
    for (const account of this.serviceAccounts.values()) {
      if (account.metadata.uid !== undefined)
        uids.set(`${account.metadata.namespace ?? ''}/${account.metadata.name}`, account.metadata.uid);
    }
    return uids;
  }

  /**
   * Starts the kinds' watches. The Secret watch starts once they have listed (startSecretsWhenReady):
   * by then every reference is known, so the Secret list keeps the data it needs and no Secret
   * must be fetched one by one.
   */
  startKinds(): void {
    for (const cache of this.caches.values()) cache.start();
    this.serviceAccounts.start();
  }

  /** Starts the Secret and ConfigMap watches if every kind has listed and they have not started yet. */
  startSecretsWhenReady(): void {
    if (this.secretsStarted || !this.kindsSynced) return;
    this.secretsStarted = true;
    this.secrets.start();
    this.configMaps.start();
  }

  async stop(): Promise<void> {
    await Promise.all([
      ...[...this.caches.values()].map((cache) => cache.stop()),
      this.secrets.stop(),
      this.configMaps.stop(),
      this.serviceAccounts.stop(),
    ]);
  }

  cacheOf(kind: string): ResourceCache<CrObject> {
    const cache = this.caches.get(kind);
    if (!cache) throw new Error(`no watch for kind ${kind}`);
    return cache;
  }

  /** Every cached object of every kind, kind by kind in registry order. */
  *objects(): Generator<CrObject> {
    for (const cache of this.caches.values()) yield* cache.values();
  }
}

/** A ServiceAccount as the operator keeps it: its name and uid (secrets lists and annotations are never read). */
function identityOnly(account: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion } = account.metadata;
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      ...(namespace === undefined ? {} : { namespace }),
      ...(uid === undefined ? {} : { uid }),
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
  };
}

/** The cached form of a decoded object (watch/cached-form.ts). */
export function compact<T extends KubeObject>(object: T): T {
  return cachedForm(object, SHARED_VALUES);
}
