// A work queue of string keys in the shape of client-go's rate-limited queue:
// - a key waiting in the queue is held once, however often it is added;
// - a key being processed is never handed to a second worker; added meanwhile, it runs again
//   after the current run;
// - a failed key is re-added after a per-key exponential backoff, reset by forget() on success.
import { silentLogger, type Logger, errorMessage } from '../observe/logger.js';

export interface WorkQueueOptions {
  /** First retry delay; doubles per consecutive failure of the same key. Default 200 ms. */
  baseDelayMs?: number;
  /** Longest retry delay. Default 60 s. */
  maxDelayMs?: number;
  /** Concurrent workers. Default 2. */
  workers?: number;
  logger?: Logger;
  onDepthChange?(depth: number): void;
  onResult?(result: 'success' | 'error'): void;
}

type WorkHandler = (key: string) => Promise<void>;

export class WorkQueue {
  /** Keys waiting, from `head` on. Not shift(): on an array of 100,000 keys every shift moved them all. */
  private queue: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Added while processing: re-queued when the current run ends. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly waiters: Array<() => void> = [];
  private shuttingDown = false;
  private readonly workerLoops: Promise<void>[] = [];
  private readonly logger: Logger;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: WorkQueueOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
  }

  get depth(): number {
    return this.queue.length - this.head;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.changed();
    this.waiters.shift()?.();
  }

  /** Adds the key after `delayMs`; an earlier pending delayed add of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown || this.delayed.has(key)) return;
    if (delayMs <= 0) return this.add(key);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, timer);
  }

  /** Re-adds a failed key after its exponential backoff. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, 30));
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the key's failure count after a success. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Starts the workers; each failed run is retried with backoff. */
  run(handler: WorkHandler): void {
    const workers = this.options.workers ?? 2;
    for (let i = 0; i < workers; i++) this.workerLoops.push(this.work(handler));
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue = [];
    this.head = 0;
    this.queued.clear();
    for (const wake of this.waiters.splice(0)) wake();
    await Promise.all(this.workerLoops);
  }

  /** Resolves when nothing is queued, delayed or running (tests, benchmarks). */
  async idle(pollMs = 10): Promise<void> {
    while (this.depth > 0 || this.processing.size > 0 || this.delayed.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private take(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++];
    // Drop the taken keys once they are half of the array: each key is copied O(1) times.
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  private async next(): Promise<string | undefined> {
    while (!this.shuttingDown) {
      const key = this.take();
      if (key !== undefined) {
        this.queued.delete(key);
        this.processing.add(key);
        this.changed();
        return key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return undefined;
  }

  private done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  private async work(handler: WorkHandler): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      try {
        await handler(key);
        this.forget(key);
        this.options.onResult?.('success');
      } catch (error) {
        this.options.onResult?.('error');
        const delay = this.addRateLimited(key);
        this.logger.warn('reconcile failed; retrying', { key, error: errorMessage(error), retryInMs: delay });
      } finally {
        this.done(key);
      }
    }
  }

  private changed(): void {
    this.options.onDepthChange?.(this.depth);
  }
}
