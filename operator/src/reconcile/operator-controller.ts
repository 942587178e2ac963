// The control loop. Watches feed caches; a spec change (never a status-only change) marks the
// table dirty; a debounced compile turns the whole cache into one routing table with the same
// compiler standalone mode runs, publishes it when its content hash changed, and queues every
// object whose diagnostics changed. Queue workers are level-triggered and idempotent: they
// compare the status an object should have with the status it has and write only the
// difference (leader only), and make sure every VirtualKey has its key Secret.
import {
  compileRoutingTable,
  type BudgetManifest,
  type DiagnosticCondition,
  type ModelRouteManifest,
  type ObjectDiagnostic,
  type RoutingTable,
  type SecretManifest,
  type SwitchyardKind,
  type VirtualKeyManifest,
} from '@switchyard/compiler';
import type { KubeClient } from '../kube/kube-client.js';
import { KubeApiError } from '../kube/kube-client.js';
import { BUDGETS, MODEL_ROUTES, SECRETS, VIRTUAL_KEYS, resourcePath, type KubeObject, type KubeObjectMeta, type ResourceType } from '../kube/resources.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';
import type { OperatorMetrics } from '../observe/operator-metrics.js';
import { WorkQueue } from '../queue/work-queue.js';
import type { PublishedTable } from '../table-server/table-stream-server.js';
import type { StoreEvent } from '../watch/reflector.js';
import { ResourceCache, type WatchTuning } from '../watch/resource-cache.js';
import { AcknowledgementTracker, objectKeyOf, parseObjectKey, type AckSource } from './acknowledgement-tracker.js';
import { changedConditions, conditionsEqual, mergeConditions, programmedCondition, readConditions, type DesiredCondition } from './conditions.js';
import type { EventRecorder } from './event-recorder.js';
import { generateVirtualKey } from './generate-virtual-key.js';
import { SecretRelevance } from './secret-relevance.js';

/** Labels on the Secrets the operator generates: how it (and RBAC docs) tell them apart. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'switchyard-operator';
export const VIRTUAL_KEY_LABEL = 'switchyard.dev/virtual-key';

type CrObject = (ModelRouteManifest | VirtualKeyManifest | BudgetManifest) & KubeObject & { status?: Record<string, unknown> };
type SecretObject = SecretManifest & KubeObject;

export interface TablePublisher {
  publish(table: RoutingTable, tableJson?: string): PublishedTable;
}

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
  /** Quiet time before a compile after the last change. Default 50 ms. */
  compileDebounceMs?: number;
  /** A steady stream of changes still compiles at least this often. Default 500 ms. */
  compileMaxDelayMs?: number;
  /** Replays every object through the queue and recompiles. Default 10 min. */
  resyncPeriodMs?: number;
  /** First table version; default the start time in seconds, so versions grow across restarts. */
  initialVersion?: number;
  workers?: number;
  now?: () => Date;
}

interface CompiledState {
  table: RoutingTable;
  diagnostics: Map<string, ObjectDiagnostic>;
  /** Per object, everything its status is computed from; a change queues the object. */
  statusInputs: Map<string, string>;
}

export class OperatorController {
  private readonly routes: ResourceCache<CrObject>;
  private readonly keys: ResourceCache<CrObject>;
  private readonly budgets: ResourceCache<CrObject>;
  private readonly secrets: ResourceCache<SecretObject>;
  private readonly relevance: SecretRelevance;
  private readonly queue: WorkQueue;
  private readonly tracker: AcknowledgementTracker;
  private readonly logger: Logger;
  private compiled: CompiledState | undefined;
  private version: number;
  private dirty = false;
  private firstDirtyAt: number | undefined;
  private compileTimer: NodeJS.Timeout | undefined;
  private compiling: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private secretsStarted = false;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(private readonly options: OperatorControllerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.version = options.initialVersion ?? Math.floor(Date.now() / 1000);
    this.relevance = new SecretRelevance();
    const common = {
      client: options.client,
      namespaces: options.namespaces,
      logger: this.logger,
      onListed: () => this.onListed(),
      ...(options.watch ?? {}),
    };
    const crCache = (type: ResourceType): ResourceCache<CrObject> =>
      new ResourceCache<CrObject>({
        ...common,
        type,
        onEvent: (event) => this.onCustomResourceEvent(type, event),
        onError: (reason) => options.metrics?.watchErrors.inc({ resource: type.plural, reason }),
        transform: withoutBookkeeping,
      });
    this.routes = crCache(MODEL_ROUTES);
    this.keys = crCache(VIRTUAL_KEYS);
    this.budgets = crCache(BUDGETS);
    this.secrets = new ResourceCache<SecretObject>({
      ...common,
      type: SECRETS,
      onEvent: (event) => this.onSecretEvent(event),
      onError: (reason) => options.metrics?.watchErrors.inc({ resource: 'secrets', reason }),
      transform: (secret) => this.relevance.shape(withoutBookkeeping(secret)),
    });
    this.queue = new WorkQueue({
      logger: this.logger,
      workers: options.workers ?? 8,
      onDepthChange: (depth) => options.metrics?.queueDepth.set(depth),
      onResult: (result) => options.metrics?.reconciles.inc({ result }),
    });
    this.tracker = new AcknowledgementTracker({
      source: options.acknowledgements,
      onChanged: (keys) => {
        for (const key of keys) this.queue.add(key);
      },
      ...(options.metrics ? { onAcknowledgedVersion: (version: number) => options.metrics?.acknowledgedVersion.set(version) } : {}),
    });
  }

  get synced(): boolean {
    return this.routes.synced && this.keys.synced && this.budgets.synced && this.secrets.synced;
  }

  /** The last compiled table (published or not yet), for readiness and tests. */
  get table(): RoutingTable | undefined {
    return this.compiled?.table;
  }

  diagnosticsOf(kind: SwitchyardKind, namespace: string, name: string): ObjectDiagnostic | undefined {
    return this.compiled?.diagnostics.get(objectKeyOf(kind, namespace, name));
  }

  start(): void {
    // Secrets start once the three kinds have listed (onListed): by then every reference is
    // known, so the Secret list keeps the data it needs and no Secret must be fetched one by one.
    this.routes.start();
    this.keys.start();
    this.budgets.start();
    this.queue.run((key) => this.reconcile(key));
    const resync = this.options.resyncPeriodMs ?? 600_000;
    this.resyncTimer = setInterval(() => this.resync(), resync);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearTimeout(this.compileTimer);
    this.tracker.close();
    await Promise.all([this.routes.stop(), this.keys.stop(), this.budgets.stop(), this.secrets.stop()]);
    await this.compiling;
    await this.queue.shutdown();
  }

  /** Resolves once every watch has listed once and the first table is compiled. */
  whenReady(): Promise<void> {
    if (this.compiled) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Leadership arrived: everything may need status the previous leader did not write. */
  onLeadershipChanged(leading: boolean): void {
    if (leading) this.enqueueAll();
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
      while (this.dirty || this.compiling) {
        await this.compiling;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await this.queue.idle();
      if (!this.dirty && !this.compiling) return;
    }
  }

  // --- events -------------------------------------------------------------------------------

  private onListed(): void {
    if (!this.secretsStarted && this.routes.synced && this.keys.synced && this.budgets.synced && !this.stopped) {
      this.secretsStarted = true;
      this.secrets.start();
    }
    if (this.synced) this.markDirty();
  }

  private onCustomResourceEvent(type: ResourceType, event: StoreEvent<CrObject>): void {
    const object = event.object;
    const key = objectKeyOf(type.kind as SwitchyardKind, object.metadata.namespace ?? '', object.metadata.name);
    const refsBefore = this.relevance.referencedCount;
    if (event.type === 'DELETED') this.relevance.forget(key);
    else this.relevance.track(key, referencedSecrets(type, object));
    if (event.type === 'DELETED' || event.type === 'ADDED' || !event.old || compileFingerprint(event.old) !== compileFingerprint(object)) {
      this.markDirty();
    }
    if (event.type !== 'DELETED') this.queue.add(key);
    if (type === BUDGETS && event.type !== 'DELETED') this.options.onBudgetObserved?.(object);
    if (refsBefore !== this.relevance.referencedCount) this.logger.debug('secret references changed', { referenced: this.relevance.referencedCount });
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
      // A VirtualKey whose Secret vanished gets a new one (from the leader).
      for (const referrer of this.relevance.referrersOf(id)) if (referrer.startsWith('VirtualKey/')) this.queue.add(referrer);
    }
  }

  // --- compile ------------------------------------------------------------------------------

  private markDirty(): void {
    if (this.stopped) return;
    this.dirty = true;
    const now = Date.now();
    this.firstDirtyAt ??= now;
    if (this.compiling) return;
    clearTimeout(this.compileTimer);
    const debounce = this.options.compileDebounceMs ?? 50;
    const maxDelay = this.options.compileMaxDelayMs ?? 500;
    const wait = Math.max(0, Math.min(debounce, this.firstDirtyAt + maxDelay - now));
    this.compileTimer = setTimeout(() => this.startCompile(), wait);
  }

  private startCompile(): void {
    if (this.compiling || this.stopped) return;
    if (!this.synced) return; // onListed marks dirty again once every watch has listed
    this.dirty = false;
    this.firstDirtyAt = undefined;
    this.compiling = this.compile()
      .catch((error: unknown) => {
        this.options.metrics?.compiles.inc({ result: 'error' });
        this.logger.error('compile failed; still serving the last table', { error: errorMessage(error) });
        this.markDirtyLater();
      })
      .finally(() => {
        this.compiling = undefined;
        if (this.dirty) {
          this.firstDirtyAt = undefined;
          this.markDirty();
        }
      });
  }

  private markDirtyLater(): void {
    setTimeout(() => this.markDirty(), 2_000).unref();
  }

  private async compile(): Promise<void> {
    await this.fetchNewlyReferencedSecrets();
    const secrets: SecretManifest[] = [];
    for (const secret of this.secrets.values()) if (!this.relevance.isStripped(secret)) secrets.push(secret);
    const started = process.hrtime.bigint();
    const result = compileRoutingTable({
      routes: [...this.routes.values()] as ModelRouteManifest[],
      virtualKeys: [...this.keys.values()] as VirtualKeyManifest[],
      budgets: [...this.budgets.values()] as BudgetManifest[],
      secrets,
      sharedNamespaces: this.options.sharedNamespaces,
      version: this.version + 1,
      ...(this.options.now ? { clock: this.options.now } : {}),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.options.metrics?.compileDuration.observe(seconds);

    const previous = this.compiled;
    const diagnostics = new Map(result.diagnostics.map((d) => [objectKeyOf(d.kind, d.namespace, d.name), d]));
    const changed = !previous || previous.table.hash !== result.table.hash;
    let table = result.table;
    if (changed) {
      this.version += 1;
      const published = this.options.publisher.publish(table, result.tableJson);
      this.tracker.remember(table);
      this.options.metrics?.compiles.inc({ result: 'changed' });
      this.options.metrics?.tableVersion.set(table.version);
      this.options.metrics?.tableBytes.set({ encoding: 'json' }, published.jsonBytes);
      this.options.metrics?.tableBytes.set({ encoding: 'gzip' }, published.gzipBytes);
      this.options.metrics?.tableObjects.set({ kind: 'ModelRoute' }, Object.keys(table.routes).length);
      this.options.metrics?.tableObjects.set({ kind: 'VirtualKey' }, table.keys.length);
      this.options.metrics?.tableObjects.set({ kind: 'Budget' }, table.budgets.length);
      this.logger.info('routing table compiled', {
        version: table.version,
        hash: table.hash,
        routes: Object.keys(table.routes).length,
        keys: table.keys.length,
        budgets: table.budgets.length,
        compileMs: Math.round(seconds * 1000),
        bytes: published.jsonBytes,
        gzipBytes: published.gzipBytes,
      });
    } else {
      table = previous.table;
      this.options.metrics?.compiles.inc({ result: 'unchanged' });
    }
    const hints = new Map(table.keys.map((k) => [objectKeyOf('VirtualKey', k.namespace, k.name), k.keyHint]));
    const statusInputs = new Map<string, string>();
    for (const [key, diagnostic] of diagnostics) statusInputs.set(key, JSON.stringify([diagnostic, hints.get(key) ?? null]));
    this.compiled = { table, diagnostics, statusInputs };
    this.tracker.setCurrentObjects(diagnostics);
    for (const [key, input] of statusInputs) {
      if (previous?.statusInputs.get(key) !== input) this.queue.add(key);
    }
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  /** Secrets that became referenced after their watch event arrived hold no data yet: GET them. */
  private async fetchNewlyReferencedSecrets(): Promise<void> {
    const wanted: SecretObject[] = [];
    for (const secret of this.secrets.values()) {
      const id = `${secret.metadata.namespace ?? ''}/${secret.metadata.name}`;
      const relevant = this.relevance.isRelevant(id, secret.metadata.labels);
      if (this.relevance.isStripped(secret)) {
        if (relevant) wanted.push(secret);
      } else if (!relevant) {
        // No longer referenced: drop its data from memory.
        this.secrets.replaceIfCurrent(this.relevance.strip(secret));
      }
    }
    for (const stripped of wanted) {
      try {
        const full = await this.options.client.get<SecretObject>(resourcePath(SECRETS, stripped.metadata.namespace, stripped.metadata.name));
        full.apiVersion ??= 'v1';
        full.kind ??= 'Secret';
        // A newer watch event may have arrived meanwhile; it carries data now, keep it.
        this.secrets.replaceIfCurrent(full);
      } catch (error) {
        if (error instanceof KubeApiError && error.notFound) continue; // its DELETED event is on the way
        throw error;
      }
    }
  }

  // --- reconcile ----------------------------------------------------------------------------

  private enqueueAll(): void {
    for (const [kind, cache] of [['ModelRoute', this.routes], ['VirtualKey', this.keys], ['Budget', this.budgets]] as const) {
      for (const object of cache.values()) this.queue.add(objectKeyOf(kind, object.metadata.namespace ?? '', object.metadata.name));
    }
  }

  private cacheFor(kind: SwitchyardKind): ResourceCache<CrObject> {
    return kind === 'ModelRoute' ? this.routes : kind === 'VirtualKey' ? this.keys : this.budgets;
  }

  private async reconcile(key: string): Promise<void> {
    if (!this.compiled || !this.options.isLeader()) return;
    const { kind, namespace, name } = parseObjectKey(key);
    const object = this.cacheFor(kind).get(namespace, name);
    if (!object || object.metadata.deletionTimestamp) return;
    if (kind === 'VirtualKey') await this.ensureKeySecret(object as VirtualKeyManifest & CrObject);
    await this.writeStatus(kind, key, object);
  }

  private async ensureKeySecret(key: VirtualKeyManifest & CrObject): Promise<void> {
    const namespace = key.metadata.namespace ?? '';
    const secretName = key.spec.secretName;
    if (this.secrets.get(namespace, secretName)) return;
    if (!key.metadata.uid) throw new Error(`VirtualKey ${namespace}/${key.metadata.name} has no uid`);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: secretName,
        namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [VIRTUAL_KEY_LABEL]: key.metadata.name },
        ownerReferences: [{ apiVersion: key.apiVersion, kind: 'VirtualKey', name: key.metadata.name, uid: key.metadata.uid, controller: true }],
      },
      type: 'Opaque',
      data: { key: Buffer.from(generateVirtualKey(), 'utf8').toString('base64') },
    };
    try {
      await this.options.client.create(resourcePath(SECRETS, namespace), secret);
    } catch (error) {
      if (error instanceof KubeApiError && error.conflict) return; // created meanwhile; the watch brings it
      throw error;
    }
    this.options.metrics?.secretsCreated.inc();
    this.logger.info('generated a key Secret', { virtualKey: `${namespace}/${key.metadata.name}`, secret: `${namespace}/${secretName}` });
    this.options.events.record(key, 'Normal', 'KeyGenerated', `created Secret ${secretName} with a new random key`);
  }

  private async writeStatus(kind: SwitchyardKind, key: string, object: CrObject): Promise<void> {
    const compiled = this.compiled;
    if (!compiled) return;
    const diagnostic = compiled.diagnostics.get(key);
    const generation = object.metadata.generation ?? 1;
    // An object newer than the last compile waits for the compile already scheduled for it.
    if (!diagnostic || diagnostic.generation !== generation) return;

    const status = object.status ?? {};
    const existing = readConditions(status);
    const accepted = diagnostic.conditions.some((c) => c.type === 'Accepted' && c.status === 'True');
    const desired: DesiredCondition[] = diagnostic.conditions.map((c: DiagnosticCondition) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      observedGeneration: generation,
    }));
    desired.push(
      programmedCondition({
        generation,
        accepted,
        acknowledgedGeneration: this.tracker.acknowledgedGeneration(key),
        existing: existing.find((c) => c.type === 'Programmed'),
      }),
    );
    const now = (this.options.now ?? (() => new Date()))().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const conditions = mergeConditions(existing, desired, now);
    const keyHint = kind === 'VirtualKey' ? compiled.table.keys.find((k) => k.id === `${object.metadata.namespace}/${object.metadata.name}`)?.keyHint : undefined;
    const unchanged =
      conditionsEqual(existing, conditions) &&
      status.observedGeneration === generation &&
      (keyHint === undefined || status.keyHint === keyHint);
    if (unchanged) return;

    const patch: Record<string, unknown> = {
      metadata: { resourceVersion: object.metadata.resourceVersion },
      status: { observedGeneration: generation, conditions, ...(keyHint !== undefined ? { keyHint } : {}) },
    };
    const type = kind === 'ModelRoute' ? MODEL_ROUTES : kind === 'VirtualKey' ? VIRTUAL_KEYS : BUDGETS;
    try {
      await this.options.client.patch(resourcePath(type, object.metadata.namespace, object.metadata.name, 'status'), patch, 'merge');
      this.options.metrics?.statusWrites.inc({ result: 'success' });
    } catch (error) {
      this.options.metrics?.statusWrites.inc({ result: error instanceof KubeApiError && error.conflict ? 'conflict' : 'error' });
      if (error instanceof KubeApiError && error.notFound) return; // deleted meanwhile
      throw error;
    }
    for (const condition of changedConditions(existing, conditions)) {
      if (condition.type === 'Programmed') continue; // once per generation: status says it, an Event would be noise
      const healthy = condition.type === 'PriceUnknown' ? condition.status === 'False' : condition.status === 'True';
      // A first healthy PriceUnknown=False says nothing worth an Event.
      if (condition.type === 'PriceUnknown' && healthy && !existing.some((c) => c.type === 'PriceUnknown')) continue;
      this.options.events.record(object, healthy ? 'Normal' : 'Warning', condition.reason, `${condition.type}=${condition.status}: ${condition.message}`);
    }
  }
}

/**
 * Drops what the operator never reads and what costs the most memory at 10k objects:
 * managedFields and kubectl's copy of the whole object in last-applied-configuration.
 */
function withoutBookkeeping<T extends KubeObject>(object: T): T {
  const metadata = object.metadata as KubeObjectMeta & { managedFields?: unknown };
  const annotations = metadata.annotations;
  if (metadata.managedFields === undefined && annotations?.[LAST_APPLIED] === undefined) return object;
  const { managedFields: _managedFields, ...rest } = metadata;
  if (annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _lastApplied, ...others } = annotations;
    rest.annotations = others;
  }
  return { ...object, metadata: rest };
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** What the compiler reads from an object's metadata and spec; status is not part of it. */
function compileFingerprint(object: CrObject): string {
  const meta: KubeObjectMeta = object.metadata;
  const labels = Object.entries(meta.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([meta.generation, meta.uid, meta.creationTimestamp, labels, meta.deletionTimestamp ?? null]);
}

function secretFingerprint(secret: SecretObject): string {
  const data = Object.entries(secret.data ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([secret.type ?? '', data, secret.metadata.uid]);
}

function referencedSecrets(type: ResourceType, object: CrObject): string[] {
  const namespace = object.metadata.namespace ?? '';
  if (type === VIRTUAL_KEYS) {
    const name = (object as VirtualKeyManifest).spec?.secretName;
    return typeof name === 'string' ? [`${namespace}/${name}`] : [];
  }
  if (type === MODEL_ROUTES) {
    const ids = new Set<string>();
    for (const backend of (object as ModelRouteManifest).spec?.backends ?? []) {
      for (const credential of backend.credentials ?? []) {
        if (credential?.secretRef?.name) ids.add(`${namespace}/${credential.secretRef.name}`);
      }
    }
    return [...ids];
  }
  return [];
}
