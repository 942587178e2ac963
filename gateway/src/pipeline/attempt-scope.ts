// The lifetime of one upstream attempt: an abort signal that fires on client disconnect or on
// the route's total timeout, and phase deadlines (first byte, stream idle) for waits that the
// transport cannot bound itself (in-process providers).
import type { CompiledTimeouts } from '@switchyard/compiler';
import { UpstreamFailure } from '../providers/upstream-failure.js';
import { upstreamTimeout, type TimeoutPhase } from '../transport/transport-errors.js';
import { ClientDisconnectedError } from './exchange.js';

export class AttemptScope {
  private readonly controller = new AbortController();
  private readonly totalTimer: NodeJS.Timeout;
  private readonly onClientAbort = (): void => this.controller.abort(new ClientDisconnectedError());

  constructor(
    private readonly clientSignal: AbortSignal,
    readonly timeouts: CompiledTimeouts,
  ) {
    if (clientSignal.aborted) this.controller.abort(new ClientDisconnectedError());
    else clientSignal.addEventListener('abort', this.onClientAbort, { once: true });
    this.totalTimer = setTimeout(() => this.controller.abort(upstreamTimeout('total', timeouts.totalMs)), timeouts.totalMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Ends the attempt early (the caller stopped reading a stream). */
  abort(reason: unknown): void {
    this.controller.abort(reason);
  }

  /** Clears the timers; call when the attempt is over, successful or not. */
  dispose(): void {
    clearTimeout(this.totalTimer);
    this.clientSignal.removeEventListener('abort', this.onClientAbort);
  }

  /** Bounds one wait by a phase deadline; when it fires the whole attempt is aborted. */
  within<T>(work: Promise<T>, ms: number, phase: TimeoutPhase): Promise<T> {
    return new Promise<T>((resolveWork, rejectWork) => {
      const signal = this.controller.signal;
      if (signal.aborted) {
        rejectWork(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        rejectWork(signal.reason);
      };
      const timer = setTimeout(() => this.controller.abort(upstreamTimeout(phase, ms)), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolveWork(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          rejectWork(this.signal.aborted ? this.signal.reason : error);
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
}
