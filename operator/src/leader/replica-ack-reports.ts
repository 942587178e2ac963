// Gateways may connect to any operator replica, but only the leader writes Programmed. So each
// replica reports what its gateways acknowledged in a small Lease of its own (one per replica,
// labelled with the election's name): the annotation holds {gateways, pending, hashes}, and the
// renewTime is a heartbeat. The leader watches these Leases and combines them with its own
// sessions. A report whose heartbeat the leader has not seen move for its leaseDuration (by the
// leader's own clock; clocks are never compared) no longer counts; long-dead ones are deleted.
import { createHash } from 'node:crypto';
import type { KubeClient } from '../kube/kube-client.js';
import { KubeApiError } from '../kube/kube-client.js';
import { LEASES, resourcePath, type KubeObjectMeta } from '../kube/resources.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';
import type { AckSnapshot, AckSource } from '../reconcile/acknowledgement-tracker.js';
import { Reflector } from '../watch/reflector.js';
import type { WatchTuning } from '../watch/resource-cache.js';

const REPLICA_GROUP_LABEL = 'switchyard.dev/operator-replicas';
const ACK_ANNOTATION = 'switchyard.dev/gateway-acks';

interface ReplicaLease {
  apiVersion?: string;
  kind?: string;
  metadata: KubeObjectMeta;
  spec?: { holderIdentity?: string | null; leaseDurationSeconds?: number; renewTime?: string | null };
}

function replicaLeaseName(group: string, replicaId: string): string {
  return `${group}-replica-${createHash('sha256').update(replicaId).digest('hex').slice(0, 12)}`;
}

export interface ReplicaAckReporterOptions {
  client: Pick<KubeClient, 'get' | 'create' | 'replace' | 'delete'>;
  namespace: string;
  /** The leader election's Lease name; groups the replicas of one operator. */
  group: string;
  replicaId: string;
  source: AckSource;
  /** Heartbeat; the report's leaseDuration is three of these. Default 5 s. */
  heartbeatMs?: number;
  logger?: Logger;
}

/** Keeps this replica's report current: on every change (debounced) and on every heartbeat. */
export class ReplicaAckReporter {
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lease: ReplicaLease | undefined;
  private readonly name: string;
  private readonly logger: Logger;

  constructor(private readonly options: ReplicaAckReporterOptions) {
    this.name = replicaLeaseName(options.group, options.replicaId);
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    this.heartbeat = setInterval(() => this.write(), this.options.heartbeatMs ?? 5_000);
    this.heartbeat.unref();
    this.write();
  }

  /** Something this replica's gateways did changed the snapshot. */
  changed(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, 100);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    await this.writing;
    try {
      await this.options.client.delete(resourcePath(LEASES, this.options.namespace, this.name));
    } catch (error) {
      if (!(error instanceof KubeApiError && error.notFound))
        this.logger.warn('could not delete the replica report', { error: errorMessage(error) });
    }
  }

  private write(): void {
    if (this.stopped) return;
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = this.writeOnce()
      .catch((error: unknown) => {
        this.lease = undefined; // re-read before the next attempt
        this.logger.warn('could not write the replica report', { error: errorMessage(error) });
      })
      .finally(() => {
        this.writing = undefined;
        if (this.again) {
          this.again = false;
          this.write();
        }
      });
  }

  private async writeOnce(): Promise<void> {
    const snapshot = this.options.source.snapshot();
    const now = new Date().toISOString().replace(/Z$/, '000Z');
    const spec = {
      holderIdentity: this.options.replicaId,
      leaseDurationSeconds: Math.ceil((3 * (this.options.heartbeatMs ?? 5_000)) / 1000),
      renewTime: now,
    };
    const metadata: KubeObjectMeta = {
      name: this.name,
      namespace: this.options.namespace,
      labels: { [REPLICA_GROUP_LABEL]: this.options.group },
      annotations: { [ACK_ANNOTATION]: JSON.stringify(snapshot) },
    };
    const path = resourcePath(LEASES, this.options.namespace, this.name);
    if (!this.lease) {
      try {
        this.lease = await this.options.client.get<ReplicaLease>(path);
      } catch (error) {
        if (!(error instanceof KubeApiError && error.notFound)) throw error;
        this.lease = await this.options.client.create<ReplicaLease>(resourcePath(LEASES, this.options.namespace), {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata,
          spec,
        });
        return;
      }
    }
    this.lease = await this.options.client.replace<ReplicaLease>(path, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...metadata, resourceVersion: this.lease.metadata.resourceVersion },
      spec,
    });
  }
}

export interface ReplicaAckCollectorOptions extends WatchTuning {
  client: KubeClient;
  namespace: string;
  group: string;
  replicaId: string;
  onChanged(): void;
  logger?: Logger;
  now?: () => number;
}

interface Observed {
  renewTime: string;
  seenAt: number;
  durationMs: number;
  snapshot: AckSnapshot | undefined;
  holder: string;
}

/** Reads the other replicas' reports. */
export class ReplicaAckCollector {
  private readonly reflector: Reflector<ReplicaLease>;
  private readonly observed = new Map<string, Observed>();
  private readonly now: () => number;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReplicaAckCollectorOptions) {
    this.now = options.now ?? Date.now;
    this.reflector = new Reflector<ReplicaLease>({
      client: options.client,
      type: LEASES,
      namespace: options.namespace,
      labelSelector: `${REPLICA_GROUP_LABEL}=${options.group}`,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.backoffInitialMs !== undefined ? { backoffInitialMs: options.backoffInitialMs } : {}),
      ...(options.inactivityTimeoutMs !== undefined ? { inactivityTimeoutMs: options.inactivityTimeoutMs } : {}),
      onEvent: (event) => {
        const key = event.object.metadata.name;
        if (event.type === 'DELETED') this.observed.delete(key);
        else this.observe(event.object);
        options.onChanged();
      },
    });
  }

  start(): void {
    this.reflector.start();
    // A replica that stops heartbeating must stop counting even if no event ever arrives.
    this.expiryTimer = setInterval(() => this.options.onChanged(), 2_000);
    this.expiryTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.expiryTimer);
    await this.reflector.stop();
  }

  /** Live reports of the other replicas. */
  snapshots(): AckSnapshot[] {
    const now = this.now();
    const out: AckSnapshot[] = [];
    for (const seen of this.observed.values()) {
      if (seen.holder === this.options.replicaId) continue;
      if (now - seen.seenAt > seen.durationMs) continue;
      // An unreadable report cannot vouch for its gateways: count one gateway pending.
      out.push(seen.snapshot ?? { gateways: 1, pending: 1, hashes: [] });
    }
    return out;
  }

  /** Deletes reports silent for ten lease durations (replicas that crashed). Leader only. */
  async pruneStale(client: Pick<KubeClient, 'delete'>): Promise<void> {
    const now = this.now();
    for (const [name, seen] of this.observed) {
      if (seen.holder === this.options.replicaId || now - seen.seenAt <= seen.durationMs * 10) continue;
      try {
        await client.delete(resourcePath(LEASES, this.options.namespace, name));
      } catch (error) {
        if (!(error instanceof KubeApiError && error.notFound)) throw error;
      }
    }
  }

  private observe(lease: ReplicaLease): void {
    const key = lease.metadata.name;
    const renewTime = lease.spec?.renewTime ?? '';
    const before = this.observed.get(key);
    const seenAt = before && before.renewTime === renewTime ? before.seenAt : this.now();
    this.observed.set(key, {
      renewTime,
      seenAt,
      durationMs: (lease.spec?.leaseDurationSeconds ?? 15) * 1000,
      snapshot: parseSnapshot(lease.metadata.annotations?.[ACK_ANNOTATION]),
      holder: lease.spec?.holderIdentity ?? '',
    });
  }
}

function parseSnapshot(text: string | undefined): AckSnapshot | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<AckSnapshot>;
    if (typeof value.gateways !== 'number' || typeof value.pending !== 'number' || !Array.isArray(value.hashes)) return undefined;
    return { gateways: value.gateways, pending: value.pending, hashes: value.hashes.filter((h): h is string => typeof h === 'string') };
  } catch {
    return undefined;
  }
}

/** This replica's gateways plus the other replicas' reports. */
export function combineAckSources(local: AckSource, remote: { snapshots(): AckSnapshot[] }): AckSource {
  return {
    snapshot() {
      const all = [local.snapshot(), ...remote.snapshots()];
      const hashes = new Set<string>();
      let gateways = 0;
      let pending = 0;
      for (const s of all) {
        gateways += s.gateways;
        pending += s.pending;
        for (const h of s.hashes) hashes.add(h);
      }
      return { gateways, pending, hashes: [...hashes] };
    },
  };
}
