// One watch per registered kind plus the Secret and ConfigMap watches, behind one interface: the controller asks
// for "every object" or "the cache of this kind" and never names a kind. Objects are cached
// without the bookkeeping the operator never reads.
import type { ConfigMapManifest, KindDefinition, KindObject, KindRegistry, SecretManifest } from '@switchyard/compiler';
import type { KubeClient } from '../kube/kube-client.js';
import { CONFIG_MAPS, kindResourceType, SECRETS, SERVICE_ACCOUNTS, type KubeObject, type KubeObjectMeta } from '../kube/resources.js';
import type { Logger } from '../observe/logger.js';
import type { OperatorMetrics } from '../observe/operator-metrics.js';
import type { StoreEvent } from '../watch/reflector.js';
import { ResourceCache, type WatchTuning } from '../watch/resource-cache.js';
import { lastWriter, type LastWriter } from './config-audit.js';

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
          transform: withoutBookkeeping,
        }),
      );
    }
    this.secrets = new ResourceCache<SecretObject>({
      ...common,
      type: SECRETS,
      onEvent: (event) => options.onSecretEvent(event),
      onError: (reason) => options.metrics?.watchErrors.inc({ resource: 'secrets', reason }),
      transform: (secret) => options.shapeSecret(withoutBookkeeping(secret)),
    });
    this.configMaps = new ResourceCache<ConfigMapObject>({
      ...common,
      type: CONFIG_MAPS,
      onEvent: (event) => options.onConfigMapEvent(event),
      onError: (reason) => options.metrics?.watchErrors.inc({ resource: 'configmaps', reason }),
      transform: (configMap) => options.shapeConfigMap(withoutBookkeeping(configMap)),
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

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops what the operator never reads and what costs the most memory at 10k objects:
 * managedFields (all but who last wrote the object, which the configuration audit names) and
 * kubectl's copy of the whole object in last-applied-configuration.
 */
function withoutBookkeeping<T extends KubeObject>(object: T): T {
  const metadata = object.metadata as KubeObjectMeta & { managedFields?: unknown };
  const annotations = metadata.annotations;
  if (metadata.managedFields === undefined && annotations?.[LAST_APPLIED] === undefined) return object;
  const { managedFields, ...rest } = metadata;
  const writer = lastWriter(managedFields);
  if (writer !== undefined) (rest as { managedFields?: LastWriter[] }).managedFields = [writer];
  if (annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _lastApplied, ...others } = annotations;
    rest.annotations = others;
  }
  return { ...object, metadata: rest };
}
