// When to compile: after a quiet time following the last change (debounce), but at least every
// maxDelay under a steady stream of changes, never two at once, and a change during a compile
// compiles again afterwards. A failed compile is retried a little later.

export interface CompileSchedulerOptions {
  compile(): Promise<void>;
  /** Whether a compile may start now; when not, the next markDirty tries again. */
  ready(): boolean;
  onError(error: unknown): void;
  /** Quiet time before a compile after the last change. Default 50 ms. */
  debounceMs?: number;
  /** A steady stream of changes still compiles at least this often. Default 500 ms. */
  maxDelayMs?: number;
}

export class CompileScheduler {
  private dirty = false;
  private firstDirtyAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: CompileSchedulerOptions) {}

  /** Something the compile reads changed. */
  markDirty(): void {
    if (this.stopped) return;
    this.dirty = true;
    const now = Date.now();
    this.firstDirtyAt ??= now;
    if (this.running) return;
    clearTimeout(this.timer);
    const debounce = this.options.debounceMs ?? 50;
    const maxDelay = this.options.maxDelayMs ?? 500;
    const wait = Math.max(0, Math.min(debounce, this.firstDirtyAt + maxDelay - now));
    this.timer = setTimeout(() => this.start(), wait);
  }

  /** Whether a compile is pending or running. */
  get busy(): boolean {
    return this.dirty || this.running !== undefined;
  }

  /** Resolves when the running compile (if any) has finished. */
  async current(): Promise<void> {
    await this.running;
  }

  /** No compile starts any more; the running one is awaited with current(). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private start(): void {
    if (this.running || this.stopped) return;
    if (!this.options.ready()) return;
    this.dirty = false;
    this.firstDirtyAt = undefined;
    this.running = this.options
      .compile()
      .catch((error: unknown) => {
        this.options.onError(error);
        setTimeout(() => this.markDirty(), 2_000).unref();
      })
      .finally(() => {
        this.running = undefined;
        if (this.dirty) {
          this.firstDirtyAt = undefined;
          this.markDirty();
        }
      });
  }
}
