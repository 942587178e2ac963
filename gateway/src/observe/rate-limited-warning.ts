// A warning that is logged at most once per interval, with how many were held back since the
// last line: a failing shared store must not write a line per request.
import type { Logger } from '@switchyard/compiler';

export class RateLimitedWarning {
  private lastAt = Number.NEGATIVE_INFINITY;
  private heldBack = 0;
  /** Every occurrence, logged or not. */
  total = 0;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  report(fields: Record<string, unknown>): void {
    this.total += 1;
    const now = this.now();
    if (now - this.lastAt < this.intervalMs) {
      this.heldBack += 1;
      return;
    }
    this.logger.warn(this.message, {
      ...fields,
      occurrences: this.total,
      ...(this.heldBack > 0 ? { notLoggedSinceLastWarning: this.heldBack } : {}),
    });
    this.lastAt = now;
    this.heldBack = 0;
  }
}
