// List + watch one resource into an in-memory store, and keep it right through every failure
// the API server and the network produce:
// - a watch resumes from the last resourceVersion it saw (bookmarks included), so a dropped
//   connection costs nothing;
// - 410 Gone (the version is too old) relists and synthesizes DELETED for objects that vanished
//   while nobody was watching;
// - any other error (network, 5xx, 404 while the CRD is missing, 403) retries with exponential
//   backoff and jitter;
// - a watch that goes silent longer than the inactivity timeout is treated as stalled and
//   restarted (half-open TCP connections otherwise hang forever).
import type { KubeClient, WatchStream } from '../kube/kube-client.js';
import { KubeApiError } from '../kube/kube-client.js';
import type { KubeStatus } from '../kube/kube-client.js';
import { namespacedName, resourcePath, withQuery, type KubeList, type KubeObject, type ResourceType } from '../kube/resources.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';
import { Backoff, sleep } from './backoff.js';
import { poolRepeatedStrings, StringPool } from './string-pool.js';

/** One pool for every reflector: namespaces, timestamps and condition texts repeat across kinds too. */
const SHARED_STRINGS = new StringPool();

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent<T extends KubeObject> {
  type: WatchEventType;
  object: T;
  /** The previous cached object for MODIFIED and DELETED. */
  old?: T;
  /** True for events synthesized by a relist rather than received from a watch. */
  fromRelist: boolean;
}

export interface ReflectorOptions<T extends KubeObject> {
  client: KubeClient;
  type: ResourceType;
  /** Absent: every namespace. */
  namespace?: string;
  labelSelector?: string;
  logger?: Logger;
  onEvent(event: StoreEvent<T>): void;
  /** Called after every successful list (the first one marks the store synced). */
  onListed?(): void;
  /** Called for every failure, with a short reason for metrics. */
  onError?(reason: 'list' | 'watch' | 'gone' | 'stalled', error: Error): void;
  /** Shapes objects before they are stored (e.g. drops Secret data nobody references). */
  transform?(object: T): T;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** A watch silent this long is restarted. Default 5 min; bookmarks arrive about every minute. */
  inactivityTimeoutMs?: number;
  /** Server-side watch timeout range in seconds; each watch picks one at random. Default 300-600. */
  watchTimeoutSeconds?: [number, number];
  pageSize?: number;
  /** Where repeated strings of cached objects are pooled (default: one pool shared by all reflectors). */
  strings?: StringPool;
}

type WatchEnd = { kind: 'closed' } | { kind: 'gone' } | { kind: 'error'; error: Error } | { kind: 'stalled' } | { kind: 'stopped' };

interface RawWatchEvent {
  type: string;
  object: unknown;
}

export class Reflector<T extends KubeObject> {
  readonly store = new Map<string, T>();
  private resourceVersion = '';
  private listed = false;
  private running = false;
  private readonly abort = new AbortController();
  private current: WatchStream | undefined;
  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: ReflectorOptions<T>) {
    this.logger = (options.logger ?? silentLogger).child({ resource: options.type.plural, namespace: options.namespace ?? '*' });
    this.backoff = new Backoff({ initialMs: options.backoffInitialMs ?? 1_000, maxMs: options.backoffMaxMs ?? 30_000 });
  }

  get synced(): boolean {
    return this.listed;
  }

  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.current?.abort();
    await this.loop;
  }

  /** Replaces a cached object when the cache still holds that resourceVersion (after a GET). */
  replaceIfCurrent(object: T): boolean {
    const key = namespacedName(object);
    const cached = this.store.get(key);
    if (!cached || cached.metadata.resourceVersion !== object.metadata.resourceVersion) return false;
    this.store.set(key, object);
    return true;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (this.running) {
      if (needList) {
        try {
          await this.list();
          needList = false;
        } catch (error) {
          if (!this.running) return;
          const err = error as Error;
          this.options.onError?.('list', err);
          const wait = this.backoff.next();
          this.logger.warn('list failed; retrying', { error: describeError(err), retryInMs: wait });
          await sleep(wait, this.abort.signal);
          continue;
        }
      }
      const end = await this.watchOnce();
      if (!this.running || end.kind === 'stopped') return;
      switch (end.kind) {
        case 'closed':
          // The server's timeoutSeconds ran out: the normal life of a watch.
          this.backoff.reset();
          break;
        case 'gone':
          this.options.onError?.('gone', new Error('410 Gone'));
          this.logger.info('resourceVersion expired (410 Gone); relisting', { resourceVersion: this.resourceVersion });
          needList = true;
          break;
        case 'stalled': {
          this.options.onError?.('stalled', new Error('watch stalled'));
          const wait = this.backoff.next();
          this.logger.warn('watch silent past the inactivity timeout; restarting', { retryInMs: wait });
          await sleep(wait, this.abort.signal);
          break;
        }
        case 'error': {
          this.options.onError?.('watch', end.error);
          const wait = this.backoff.next();
          this.logger.warn('watch failed; restarting', { error: describeError(end.error), retryInMs: wait });
          await sleep(wait, this.abort.signal);
          break;
        }
      }
    }
  }

  private basePath(): string {
    return resourcePath(this.options.type, this.options.namespace);
  }

  private async list(): Promise<void> {
    const seen = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.options.client.get<KubeList<T>>(
        withQuery(this.basePath(), {
          limit: this.options.pageSize ?? 500,
          continue: continueToken,
          labelSelector: this.options.labelSelector,
        }),
      );
      for (const item of page.items ?? []) {
        // List items omit apiVersion/kind; events and the compiler want them.
        const object = this.shape({
          ...item,
          apiVersion: item.apiVersion ?? apiVersionOf(this.options.type),
          kind: item.kind ?? this.options.type.kind,
        });
        seen.set(namespacedName(object), object);
      }
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (continueToken && this.running);
    if (!this.running) return;

    for (const [key, old] of [...this.store]) {
      if (!seen.has(key)) {
        this.store.delete(key);
        this.options.onEvent({ type: 'DELETED', object: old, old, fromRelist: true });
      }
    }
    for (const [key, object] of seen) {
      const old = this.store.get(key);
      if (old && old.metadata.resourceVersion === object.metadata.resourceVersion) continue;
      this.store.set(key, object);
      this.options.onEvent(old ? { type: 'MODIFIED', object, old, fromRelist: true } : { type: 'ADDED', object, fromRelist: true });
    }
    this.resourceVersion = resourceVersion;
    this.listed = true;
    this.backoff.reset();
    this.logger.debug('listed', { objects: this.store.size, resourceVersion });
    this.options.onListed?.();
  }

  private watchOnce(): Promise<WatchEnd> {
    const [min, max] = this.options.watchTimeoutSeconds ?? [300, 600];
    const timeoutSeconds = Math.round(min + Math.random() * Math.max(0, max - min));
    const path = withQuery(this.basePath(), {
      watch: 1,
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
      labelSelector: this.options.labelSelector,
    });
    const inactivityMs = this.options.inactivityTimeoutMs ?? 300_000;
    return new Promise<WatchEnd>((resolve) => {
      let ended: WatchEnd | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (end: WatchEnd): void => {
        if (ended) return;
        ended = end;
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', onAbort);
        stream.abort();
        resolve(end);
      };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => finish({ kind: 'stalled' }), inactivityMs);
      };
      const onAbort = (): void => finish({ kind: 'stopped' });
      const stream = this.options.client.stream(path, {
        onLine: (line) => {
          if (ended) return;
          arm();
          let event: RawWatchEvent;
          try {
            event = JSON.parse(line) as RawWatchEvent;
          } catch (error) {
            finish({ kind: 'error', error: new Error(`undecodable watch event: ${errorMessage(error)}`) });
            return;
          }
          const outcome = this.apply(event);
          if (outcome) finish(outcome);
          else this.backoff.reset();
        },
        onClose: (error) => {
          if (error instanceof KubeApiError && error.gone) finish({ kind: 'gone' });
          else finish(error ? { kind: 'error', error } : { kind: 'closed' });
        },
      });
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      arm();
    });
  }

  /** Applies one watch event; returns how the watch must end, if it must. */
  private apply(event: RawWatchEvent): WatchEnd | undefined {
    if (event.type === 'ERROR') {
      const status = event.object as KubeStatus;
      if (status.code === 410) return { kind: 'gone' };
      return { kind: 'error', error: new Error(`watch error ${status.code ?? '?'} ${status.reason ?? ''}: ${status.message ?? ''}`) };
    }
    const raw = event.object as T;
    if (!raw?.metadata) return { kind: 'error', error: new Error(`watch event ${event.type} without an object`) };
    if (raw.metadata.resourceVersion) this.resourceVersion = raw.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') return undefined;
    const object = this.shape(raw);
    const key = namespacedName(object);
    const old = this.store.get(key);
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.store.set(key, object);
        this.options.onEvent(old ? { type: 'MODIFIED', object, old, fromRelist: false } : { type: 'ADDED', object, fromRelist: false });
        return undefined;
      case 'DELETED':
        this.store.delete(key);
        this.options.onEvent({ type: 'DELETED', object, ...(old ? { old } : {}), fromRelist: false });
        return undefined;
      default:
        this.logger.debug('ignoring watch event', { type: event.type });
        return undefined;
    }
  }

  private shape(object: T): T {
    // Pooled before the transform: the object is still the reflector's own (just decoded).
    const pooled = poolRepeatedStrings(object, this.options.strings ?? SHARED_STRINGS);
    return this.options.transform ? this.options.transform(pooled) : pooled;
  }
}

function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

function describeError(error: Error): string {
  if (error instanceof KubeApiError && error.notFound) return `${error.message} (is the CRD installed?)`;
  return error.message;
}
