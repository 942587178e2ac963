// Settlements (rate-limit releases, budget charges) that Redis could not take are kept and sent
// again when it answers, oldest first. Each script applies a given settlement at most once, so
// resending one that did reach Redis (its reply was lost) charges nothing twice. The queue is
// bounded; overflowing it is logged, since that spend is then lost.
import type { Logger } from '@switchyard/compiler';
import { SharedStoreUnavailableError } from '../../redis/shared-store-unavailable.js';
import type { RedisConnection } from '../../redis/redis-connection.js';

const RETRY_INTERVAL_MS = 1_000;

interface Pending {
  what: string;
  send: () => Promise<unknown>;
}

export class SettlementRetryQueue {
  private pending: Pending[] = [];
  private draining = false;
  private timer: NodeJS.Timeout | undefined;
  private dropped = 0;

  constructor(
    redis: RedisConnection,
    private readonly logger: Logger,
    private readonly capacity = 100_000,
  ) {
    redis.onReady(() => void this.drain());
  }

  get size(): number {
    return this.pending.length;
  }

  /** Sends now; on an unreachable Redis, queues for later. Never throws. */
  run(what: string, send: () => Promise<unknown>): void {
    send().catch((error: unknown) => this.failed({ what, send }, error));
  }

  /** Sends now and waits; on an unreachable Redis, queues for later and resolves. */
  async runAndWait(what: string, send: () => Promise<unknown>): Promise<unknown> {
    try {
      return await send();
    } catch (error) {
      this.failed({ what, send }, error);
      return undefined;
    }
  }

  private failed(item: Pending, error: unknown): void {
    if (!(error instanceof SharedStoreUnavailableError)) {
      this.logger.error('settlement failed and will not be retried', {
        what: item.what,
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    if (this.pending.length >= this.capacity) {
      this.pending.shift();
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0)
        this.logger.error('settlement retry queue full: oldest settlements dropped, their spend is lost', {
          dropped: this.dropped,
          capacity: this.capacity,
        });
    }
    this.pending.push(item);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, RETRY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Resends queued settlements in order; stops at the first that still cannot be sent. */
  async drain(): Promise<void> {
    if (this.draining || this.pending.length === 0) return;
    this.draining = true;
    let sent = 0;
    try {
      while (this.pending.length > 0) {
        const item = this.pending[0] as Pending;
        try {
          await item.send();
        } catch (error) {
          if (error instanceof SharedStoreUnavailableError) {
            this.schedule();
            return;
          }
          this.logger.error('queued settlement failed and is dropped', {
            what: item.what,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        this.pending.shift();
        sent += 1;
      }
    } finally {
      this.draining = false;
      if (sent > 0) this.logger.info('queued settlements sent to Redis', { sent, stillQueued: this.pending.length });
    }
  }
}
