// The control loop. Watches feed caches (kind-watches.ts); a spec change (never a status-only
// change) marks the table dirty; a debounced compile turns the whole cache into one routing
// table with the same compiler standalone mode runs (table-compilation.ts), publishes it when its
// content hash changed, and queues every object whose diagnostics changed. Queue workers are
// level-triggered and idempotent: they make sure an object's generated Secret exists
// (generated-secrets.ts) and write only the status difference (status-writer.ts), leader only.
// When to compile is compile-scheduler.ts.
// No kind is named here: what differs between kinds comes from the kind registry.
import {
  BUILTIN_KINDS,
  type KindDefinition,
  type KindRegistry,
  type ObjectDiagnostic,
  type RoutingTable,
  type SecretManifest,
} from '@switchyard/compiler';
import type { KubeClient } from '../kube/kube-client.js';
import { KubeApiError } from '../kube/kube-client.js';
import { CONFIG_MAPS, resourcePath, SECRETS, type KubeObject, type KubeObjectMeta, type ResourceType } from '../kube/resources.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';
import type { OperatorMetrics } from '../observe/operator-metrics.js';
import { WorkQueue } from '../queue/work-queue.js';
import type { StoreEvent } from '../watch/reflector.js';
import type { ResourceCache, WatchTuning } from '../watch/resource-cache.js';
import { AcknowledgementTracker, type AckSource } from './acknowledgement-tracker.js';
import { CompileScheduler } from './compile-scheduler.js';
import { ConfigAudit } from './config-audit.js';
import type { EventRecorder } from './event-recorder.js';
import { ensureGeneratedSecret } from './generated-secrets.js';
import { compact, KindWatches, type ConfigMapObject, type CrObject, type SecretObject } from './kind-watches.js';
import { objectKeyOf, parseObjectKey } from './object-keys.js';
import { SecretRelevance } from './secret-relevance.js';
import type { StatusContributor } from './status-contributor.js';
import { StatusWriter } from './status-writer.js';
import { TableCompilation, type TablePublisher } from './table-compilation.js';

export interface OperatorControllerOptions {
  client: KubeClient;
  /** Undefined: every namespace. */
  namespaces: readonly string[] | undefined;
  sharedNamespaces: readonly string[];
  publisher: TablePublisher;
  acknowledgements: AckSource;
  events: EventRecorder;
  isLeader(): boolean;
  logger?: Logger;
  metrics?: OperatorMetrics;
  watch?: WatchTuning;
  /** Every Budget the watch delivers, status included (the spend path reads other replicas' writes). */
  onBudgetObserved?(budget: KubeObject & { status?: unknown }): void;
  /** Quiet time before a compile after the last change (compile-scheduler.ts). Default 50 ms. */
  compileDebounceMs?: number;
  /** A steady stream of changes still compiles at least this often. Default 500 ms. */
  compileMaxDelayMs?: number;
  /** Replays every object through the queue and recompiles. Default 10 min. */
  resyncPeriodMs?: number;
  /** First table version; default the start time in seconds, so versions grow across restarts. */
  initialVersion?: number;
  workers?: number;
  now?: () => Date;
  /** The kinds watched and compiled; defaults to the built-in ones. */
  kinds?: KindRegistry;
  /**
   * Status from the operator's own checks (MCPServer Ready). Built with the controller's queue
   * callback, so a changed check result queues its object.
   */
  statusContributors?: (enqueue: (key: string) => void) => readonly StatusContributor[];
}

export class OperatorController {
  private readonly kinds: KindRegistry;
  private readonly watches: KindWatches;
  private readonly relevance = new SecretRelevance();
  /** ConfigMaps MCPServers read OpenAPI documents from: only these keep their data in the cache. */
  private readonly configMapRelevance = new SecretRelevance();
  private readonly queue: WorkQueue;
  private readonly tracker: AcknowledgementTracker;
  private readonly compilation: TableCompilation;
  private readonly status: StatusWriter;
  private readonly logger: Logger;
  private readonly scheduler: CompileScheduler;
  private readonly contributors: readonly StatusContributor[];
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly syncWaiters: Array<() => void> = [];
  private readonly configAudit: ConfigAudit;

  constructor(private readonly options: OperatorControllerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.kinds = options.kinds ?? BUILTIN_KINDS;
    this.watches = new KindWatches({
      client: options.client,
      kinds: this.kinds,
      namespaces: options.namespaces,
      logger: this.logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.watch ? { watch: options.watch } : {}),
      onObjectEvent: (kind, event) => this.onObjectEvent(kind, event),
      onSecretEvent: (event) => this.onSecretEvent(event),
      onConfigMapEvent: (event) => this.onConfigMapEvent(event),
      // Only existence and uid matter: a new or deleted ServiceAccount may change a subject's binding.
      onServiceAccountEvent: (event) => {
        if (event.type !== 'MODIFIED' || event.old?.metadata.uid !== event.object.metadata.uid) this.markDirty();
      },
      onListed: () => this.onListed(),
      shapeSecret: (secret) => this.relevance.shape(secret),
      shapeConfigMap: (configMap) => this.configMapRelevance.shape(configMap),
    });
    this.queue = new WorkQueue({
      logger: this.logger,
      workers: options.workers ?? 8,
      onDepthChange: (depth) => options.metrics?.queueDepth.set(depth),
      onResult: (result) => options.metrics?.reconciles.inc({ result }),
    });
    this.tracker = new AcknowledgementTracker({
      source: options.acknowledgements,
      kinds: this.kinds,
      onChanged: (keys) => {
        for (const key of keys) this.queue.add(key);
      },
      ...(options.metrics ? { onAcknowledgedVersion: (version: number) => options.metrics?.acknowledgedVersion.set(version) } : {}),
    });
    this.compilation = new TableCompilation({
      kinds: this.kinds,
      sharedNamespaces: options.sharedNamespaces,
      publisher: options.publisher,
      tracker: this.tracker,
      logger: this.logger,
      initialVersion: options.initialVersion ?? Math.floor(Date.now() / 1000),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.scheduler = new CompileScheduler({
      compile: () => this.compile(),
      // Every watch must have listed; onListed marks dirty again once they have.
      ready: () => this.synced,
      onError: (error) => {
        options.metrics?.compiles.inc({ result: 'error' });
        this.logger.error('compile failed; still serving the last table', { error: errorMessage(error) });
      },
      ...(options.compileDebounceMs !== undefined ? { debounceMs: options.compileDebounceMs } : {}),
      ...(options.compileMaxDelayMs !== undefined ? { maxDelayMs: options.compileMaxDelayMs } : {}),
    });
    this.configAudit = new ConfigAudit(this.logger, options.events);
    this.contributors = options.statusContributors?.((key) => this.queue.add(key)) ?? [];
    this.status = new StatusWriter({
      client: options.client,
      events: options.events,
      tracker: this.tracker,
      contributors: this.contributors,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  get synced(): boolean {
    return this.watches.synced;
  }

  /** The last compiled table (published or not yet), for readiness and tests. */
  get table(): RoutingTable | undefined {
    return this.compilation.current?.table;
  }

  /** The watched objects of one kind, status included, as the watch last delivered them (the console reads these). */
  objectsOf(kind: string): IterableIterator<CrObject> {
    return this.watches.cacheOf(kind).values();
  }

  diagnosticsOf(kind: string, namespace: string, name: string): ObjectDiagnostic | undefined {
    return this.compilation.current?.diagnostics.get(objectKeyOf(kind, namespace, name));
  }

  start(): void {
    this.watches.startKinds();
    this.queue.run((key) => this.reconcile(key));
    const resync = this.options.resyncPeriodMs ?? 600_000;
    this.resyncTimer = setInterval(() => this.resync(), resync);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    for (const contributor of this.contributors) contributor.stop();
    this.scheduler.stop();
    this.tracker.close();
    await this.watches.stop();
    await this.scheduler.current();
    await this.queue.shutdown();
  }

  /** Resolves once every watch has listed once and the first table is compiled. */
  whenReady(): Promise<void> {
    if (this.compilation.current) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Leadership arrived: everything may need status the previous leader did not write. */
  onLeadershipChanged(leading: boolean): void {
    if (!leading) return;
    this.enqueueAll();
    for (const contributor of this.contributors) contributor.recheckAll();
  }

  /** A gateway connected, left or acknowledged: Programmed may have moved. */
  onAcknowledgementsChanged(): void {
    this.tracker.refreshSoon();
  }

  /** Replays every cached object and recompiles: the level-triggered safety net. */
  resync(): void {
    this.markDirty();
    this.enqueueAll();
  }

  /** Waits until no compile is pending and the queue is empty (tests, benchmarks). */
  async settle(): Promise<void> {
    for (;;) {
      while (this.scheduler.busy) {
        await this.scheduler.current();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await this.queue.idle();
      if (!this.scheduler.busy) return;
    }
  }

  // --- events -------------------------------------------------------------------------------

  private onListed(): void {
    if (!this.stopped) this.watches.startSecretsWhenReady();
    if (this.synced) this.markDirty();
  }

  private onObjectEvent(kind: KindDefinition, event: StoreEvent<CrObject>): void {
    const object = event.object;
    const key = objectKeyOf(kind.kind, object.metadata.namespace ?? '', object.metadata.name);
    const refsBefore = this.relevance.referencedCount;
    if (event.type === 'DELETED') {
      this.relevance.forget(key);
      this.configMapRelevance.forget(key);
    } else {
      this.relevance.track(key, kind.referencedSecrets(object));
      if (kind.referencedConfigMaps) this.configMapRelevance.track(key, kind.referencedConfigMaps(object));
    }
    if (event.type === 'DELETED' || event.type === 'ADDED' || !event.old || compileFingerprint(event.old) !== compileFingerprint(object)) {
      this.markDirty();
    }
    if (event.type !== 'DELETED') this.queue.add(key);
    if (kind.kind === 'Budget' && event.type !== 'DELETED') this.options.onBudgetObserved?.(object);
    if (refsBefore !== this.relevance.referencedCount)
      this.logger.debug('secret references changed', { referenced: this.relevance.referencedCount });
  }

  private onSecretEvent(event: StoreEvent<SecretObject>): void {
    const secret = event.object;
    const id = `${secret.metadata.namespace ?? ''}/${secret.metadata.name}`;
    const relevantNow = this.relevance.isRelevant(id, secret.metadata.labels);
    const relevantBefore = event.old ? this.relevance.isRelevant(id, event.old.metadata.labels) : false;
    if (relevantNow || relevantBefore) {
      if (event.type !== 'MODIFIED' || !event.old || secretFingerprint(event.old) !== secretFingerprint(secret)) this.markDirty();
    }
    if (event.type === 'DELETED') {
      // An object whose generated Secret vanished gets a new one (from the leader).
      for (const referrer of this.relevance.referrersOf(id)) {
        if (this.kinds.get(parseObjectKey(referrer, this.kinds).kind).generatedSecret) this.queue.add(referrer);
      }
    }
  }

  private onConfigMapEvent(event: StoreEvent<ConfigMapObject>): void {
    const configMap = event.object;
    const id = `${configMap.metadata.namespace ?? ''}/${configMap.metadata.name}`;
    if (!this.configMapRelevance.isRelevant(id, undefined)) return;
    if (event.type !== 'MODIFIED' || !event.old || configMapFingerprint(event.old) !== configMapFingerprint(configMap)) this.markDirty();
  }

  // --- compile ------------------------------------------------------------------------------

  private markDirty(): void {
    this.scheduler.markDirty();
  }

  private async compile(): Promise<void> {
    await this.fetchNewlyReferenced(this.watches.secrets, this.relevance, SECRETS);
    await this.fetchNewlyReferenced(this.watches.configMaps, this.configMapRelevance, CONFIG_MAPS);
    const secrets: SecretManifest[] = [];
    for (const secret of this.watches.secrets.values()) if (!this.relevance.isStripped(secret)) secrets.push(secret);
    const configMaps: ConfigMapObject[] = [];
    for (const configMap of this.watches.configMaps.values())
      if (!this.configMapRelevance.isStripped(configMap)) configMaps.push(configMap);
    const objects = [...this.watches.objects()];
    const versionBefore = this.compilation.current?.table.version;
    for (const key of this.compilation.run(objects, secrets, this.watches.serviceAccountUids(), configMaps)) this.queue.add(key);
    const table = this.compilation.current?.table;
    if (table !== undefined && table.version !== versionBefore)
      this.configAudit.tableVersion(table.version, table.hash, [...objects, ...secrets], this.options.isLeader());
    if (table) for (const contributor of this.contributors) contributor.observe(table);
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  /** Secrets (ConfigMaps) that became referenced after their watch event arrived hold no data yet: GET them. */
  private async fetchNewlyReferenced<T extends SecretObject | ConfigMapObject>(
    cache: ResourceCache<T>,
    relevance: SecretRelevance,
    type: ResourceType,
  ): Promise<void> {
    const wanted: T[] = [];
    for (const secret of cache.values()) {
      const id = `${secret.metadata.namespace ?? ''}/${secret.metadata.name}`;
      const relevant = relevance.isRelevant(id, secret.metadata.labels);
      if (relevance.isStripped(secret)) {
        if (relevant) wanted.push(secret);
      } else if (!relevant) {
        // No longer referenced: drop its data from memory.
        cache.replaceIfCurrent(relevance.strip(secret));
      }
    }
    for (const stripped of wanted) {
      try {
        const full = await this.options.client.get<T>(resourcePath(type, stripped.metadata.namespace, stripped.metadata.name));
        full.apiVersion ??= 'v1';
        (full as { kind?: string }).kind ??= type.kind;
        // A newer watch event may have arrived meanwhile; it carries data now, keep it.
        cache.replaceIfCurrent(compact(full));
      } catch (error) {
        if (error instanceof KubeApiError && error.notFound) continue; // its DELETED event is on the way
        throw error;
      }
    }
  }

  // --- reconcile ----------------------------------------------------------------------------

  private enqueueAll(): void {
    for (const kind of this.kinds.all()) {
      for (const object of this.watches.cacheOf(kind.kind).values())
        this.queue.add(objectKeyOf(kind.kind, object.metadata.namespace ?? '', object.metadata.name));
    }
  }

  private async reconcile(key: string): Promise<void> {
    const compiled = this.compilation.current;
    if (!compiled || !this.options.isLeader()) return;
    const { kind: kindName, namespace, name } = parseObjectKey(key, this.kinds);
    const kind = this.kinds.get(kindName);
    const object = this.watches.cacheOf(kindName).get(namespace, name);
    if (!object || object.metadata.deletionTimestamp) return;
    await ensureGeneratedSecret(kind, object, {
      client: this.options.client,
      secrets: this.watches.secrets,
      events: this.options.events,
      logger: this.logger,
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
    });
    // Read again: a compile may have finished while the Secret was being created.
    await this.status.write(kind, key, object, this.compilation.current ?? compiled);
  }
}

/** What the compiler reads from an object's metadata and spec; status is not part of it. */
function compileFingerprint(object: CrObject): string {
  const meta: KubeObjectMeta = object.metadata;
  const labels = Object.entries(meta.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([meta.generation, meta.uid, meta.creationTimestamp, labels, meta.deletionTimestamp ?? null]);
}

function configMapFingerprint(configMap: ConfigMapObject): string {
  const entries = (record: Record<string, string> | undefined) => Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([entries(configMap.data), entries(configMap.binaryData), configMap.metadata.uid]);
}

function secretFingerprint(secret: SecretObject): string {
  const data = Object.entries(secret.data ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([secret.type ?? '', data, secret.metadata.uid]);
}
