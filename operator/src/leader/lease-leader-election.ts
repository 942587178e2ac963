// Leader election over a coordination.k8s.io/v1 Lease, the protocol client-go uses:
// - the holder renews spec.renewTime every retry period; it steps down when it has not managed
//   a renewal for renewDeadline;
// - another replica takes over once it has watched the same lease record unchanged for
//   leaseDuration of its own clock (clocks are never compared across machines);
// - every write carries the resourceVersion it read, so two candidates cannot both win;
// - on shutdown the holder releases the lease (empty holder), so a successor need not wait.
import type { KubeClient } from '../kube/kube-client.js';
import { KubeApiError } from '../kube/kube-client.js';
import { LEASES, resourcePath, type KubeObjectMeta } from '../kube/resources.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';
import { sleep } from '../watch/backoff.js';

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: KubeObjectMeta;
  spec: LeaseSpec;
}

export interface LeaderElectionOptions {
  client: Pick<KubeClient, 'get' | 'create' | 'replace'>;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger?: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  now?: () => number;
}

export class LeaseLeaderElection {
  private leading = false;
  private running = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private observed: { record: string; at: number } | undefined;
  private lastRenewal = 0;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private holder: string | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs)) {
      throw new Error('leader election needs lease duration > renew deadline > retry period');
    }
    this.logger = (options.logger ?? silentLogger).child({ lease: `${options.namespace}/${options.name}` });
    this.now = options.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The identity recorded in the lease the last time this replica read it. */
  get currentHolder(): string | undefined {
    return this.holder;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops campaigning and, when leading, releases the lease. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    await this.loop;
    if (this.leading) {
      await this.release().catch((error: unknown) => this.logger.warn('could not release the lease', { error: errorMessage(error) }));
      this.setLeading(false);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (error) {
        this.logger.warn('lease update failed', { error: errorMessage(error) });
      }
      if (ok) {
        this.lastRenewal = this.now();
        if (!this.leading) this.setLeading(true);
      } else if (this.leading && this.now() - this.lastRenewal >= this.renewDeadlineMs) {
        this.logger.warn('could not renew the lease within the renew deadline; stepping down', { renewDeadlineMs: this.renewDeadlineMs });
        this.setLeading(false);
      }
      await sleep(this.retryPeriodMs * (this.leading ? 1 : 1 + Math.random() * 0.2), this.abort.signal);
    }
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    if (leading) {
      this.logger.info('became leader', { identity: this.options.identity });
      this.options.onStartedLeading();
    } else {
      this.logger.info('stopped leading', { identity: this.options.identity });
      this.options.onStoppedLeading();
    }
  }

  private path(name?: string): string {
    return resourcePath(LEASES, this.options.namespace, name);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const nowIso = new Date(this.now()).toISOString().replace(/Z$/, '000Z');
    const durationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    let lease: Lease;
    try {
      lease = await this.options.client.get<Lease>(this.path(this.options.name));
    } catch (error) {
      if (!(error instanceof KubeApiError && error.notFound)) throw error;
      try {
        await this.options.client.create<Lease>(this.path(), {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: {
            holderIdentity: this.options.identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: nowIso,
            renewTime: nowIso,
            leaseTransitions: 0,
          },
        });
        this.holder = this.options.identity;
        return true;
      } catch (createError) {
        if (createError instanceof KubeApiError && createError.conflict) return false;
        throw createError;
      }
    }

    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    this.holder = holder || undefined;
    const record = JSON.stringify([holder, spec.renewTime, spec.leaseDurationSeconds, spec.acquireTime]);
    if (!this.observed || this.observed.record !== record) this.observed = { record, at: this.now() };
    const heldByMe = holder === this.options.identity;
    const observedDurationMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    const expired = holder === '' || this.now() >= this.observed.at + observedDurationMs;
    if (!heldByMe && !expired) return false;

    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.options.identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: nowIso,
        acquireTime: heldByMe ? (spec.acquireTime ?? nowIso) : nowIso,
        leaseTransitions: heldByMe ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      const written = await this.options.client.replace<Lease>(this.path(this.options.name), next);
      this.observed = {
        record: JSON.stringify([
          written.spec.holderIdentity,
          written.spec.renewTime,
          written.spec.leaseDurationSeconds,
          written.spec.acquireTime,
        ]),
        at: this.now(),
      };
      this.holder = this.options.identity;
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.conflict) return false;
      throw error;
    }
  }

  private async release(): Promise<void> {
    const lease = await this.options.client.get<Lease>(this.path(this.options.name));
    if (lease.spec?.holderIdentity !== this.options.identity) return;
    await this.options.client.replace<Lease>(this.path(this.options.name), {
      ...lease,
      spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, acquireTime: null, renewTime: null },
    });
    this.logger.info('released the lease');
  }
}
