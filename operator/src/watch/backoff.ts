// Exponential backoff with full jitter, for reconnect loops (watches, the gateway's stream).

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Multiplier per failure; default 2. */
  factor?: number;
  /** Fraction of the delay that is randomized (0 = none, 1 = full jitter); default 0.5. */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.5;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.options.maxMs, this.options.initialMs * this.factor ** this.failures);
    this.failures = Math.min(this.failures + 1, 64);
    const spread = base * this.jitter;
    return Math.round(base - spread + this.random() * spread);
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
