// The lifetime of one upstream attempt: an abort signal that fires on client disconnect or on
// the route's total timeout, and phase deadlines (first byte, stream idle) for each wait.
//
// One timer serves every deadline of the attempt. It is armed once, at the first-byte (or
// total) deadline; a later phase only moves a number, and when the timer fires it either
// aborts (a deadline has passed) or re-arms itself at the nearest one still pending. A stream
// that sends a chunk every few milliseconds therefore costs no timer operation per chunk, and a
// complete answer costs one setTimeout and one clearTimeout.
import type { CompiledTimeouts } from '@switchyard/compiler';
import { UpstreamFailure } from '../providers/upstream-failure.js';
import { upstreamTimeout, type TimeoutPhase } from '../transport/transport-errors.js';
import { ClientDisconnectedError } from './exchange.js';

/** Node timers run on a millisecond clock and can fire up to 1 ms before performance.now() reaches the deadline. */
const TIMER_SLACK_MS = 1;

export class AttemptScope {
  private readonly controller = new AbortController();
  private readonly totalDeadline: number;
  private phase: TimeoutPhase | undefined;
  private phaseMs = 0;
  private phaseDeadline = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Infinity;
  private disposed = false;
  private readonly onClientAbort = (): void => this.controller.abort(new ClientDisconnectedError());
  private readonly onTimer = (): void => this.checkDeadlines();

  constructor(
    private readonly clientSignal: AbortSignal,
    readonly timeouts: CompiledTimeouts,
  ) {
    const now = performance.now();
    this.totalDeadline = now + timeouts.totalMs;
    if (clientSignal.aborted) this.controller.abort(new ClientDisconnectedError());
    else clientSignal.addEventListener('abort', this.onClientAbort, { once: true });
    // Every attempt starts by waiting for its first byte: arm for that deadline now, so the
    // first-byte phase finds the timer already where it needs it.
    this.arm(Math.min(now + timeouts.firstByteMs, this.totalDeadline));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Ends the attempt early (the caller stopped reading a stream). */
  abort(reason: unknown): void {
    this.controller.abort(reason);
  }

  /** Clears the timer and the client link; call when the attempt is over, successful or not. */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.clientSignal.removeEventListener('abort', this.onClientAbort);
  }

  /**
   * Bounds a wait on work that stops by itself when `signal` aborts (undici requests and
   * bodies): the phase deadline aborts the attempt, and the work then rejects.
   */
  async bounded<T>(work: Promise<T>, ms: number, phase: TimeoutPhase): Promise<T> {
    this.beginPhase(ms, phase);
    try {
      return await work;
    } finally {
      this.endPhase();
    }
  }

  /** Starts a phase deadline by hand (for callers that await the work themselves); pair with endPhase. */
  beginPhase(ms: number, phase: TimeoutPhase): void {
    this.phase = phase;
    this.phaseMs = ms;
    this.phaseDeadline = performance.now() + ms;
    // Only a deadline earlier than the armed one needs the timer moved.
    if (this.phaseDeadline < this.timerDueAt) this.arm(Math.min(this.phaseDeadline, this.totalDeadline));
  }

  endPhase(): void {
    this.phase = undefined;
  }

  /**
   * Bounds a wait on work that may ignore the signal (in-process providers): the returned
   * promise rejects as soon as the attempt is aborted, whatever the work does.
   */
  within<T>(work: Promise<T>, ms: number, phase: TimeoutPhase): Promise<T> {
    return new Promise<T>((resolveWork, rejectWork) => {
      const signal = this.controller.signal;
      if (signal.aborted) {
        rejectWork(signal.reason);
        return;
      }
      this.beginPhase(ms, phase);
      const onAbort = (): void => {
        this.phase = undefined;
        rejectWork(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          this.phase = undefined;
          signal.removeEventListener('abort', onAbort);
          resolveWork(value);
        },
        (error: unknown) => {
          this.phase = undefined;
          signal.removeEventListener('abort', onAbort);
          rejectWork(signal.aborted ? signal.reason : error);
        },
      );
    });
  }

  /** What an error thrown during the attempt means: the abort reason wins over the symptom. */
  explain(error: unknown): unknown {
    if (this.controller.signal.aborted) {
      const reason: unknown = this.controller.signal.reason;
      if (reason instanceof UpstreamFailure || reason instanceof ClientDisconnectedError) return reason;
    }
    return error;
  }

  private arm(dueAt: number): void {
    if (this.disposed || this.controller.signal.aborted) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(dueAt - performance.now())));
  }

  private checkDeadlines(): void {
    this.timer = undefined;
    this.timerDueAt = Infinity;
    if (this.disposed || this.controller.signal.aborted) return;
    const now = performance.now() + TIMER_SLACK_MS;
    if (this.phase !== undefined && now >= this.phaseDeadline) {
      this.controller.abort(upstreamTimeout(this.phase, this.phaseMs));
      return;
    }
    if (now >= this.totalDeadline) {
      this.controller.abort(upstreamTimeout('total', this.timeouts.totalMs));
      return;
    }
    this.arm(this.phase !== undefined ? Math.min(this.phaseDeadline, this.totalDeadline) : this.totalDeadline);
  }
}
