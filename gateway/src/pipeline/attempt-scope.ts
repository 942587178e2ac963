// The lifetime of one upstream attempt: it aborts on client disconnect, on the route's total
// timeout, and on phase deadlines (first byte, stream idle) for each wait.
//
// Cheap on purpose, since every request runs one: an AbortSignal is an EventTarget, and adding
// and removing its listeners costs more than the rest of an attempt's bookkeeping together. So
// - undici gets an EventEmitter as its signal (it accepts either), not an AbortSignal;
// - a real AbortSignal is made only if someone asks for `signal` (in-process providers);
// - the client's signal gets one listener per request, shared by its attempts;
// - one timer serves every deadline. It is armed once, at the first-byte (or total)
//   deadline; a later phase only moves a number, and when the timer fires it either aborts (a
//   deadline has passed) or re-arms itself at the nearest one still pending. A stream that
//   sends a chunk every few milliseconds costs no timer operation per chunk, and a complete
//   answer costs one setTimeout and one clearTimeout.
import { EventEmitter } from 'node:events';
import type { CompiledTimeouts } from '@switchyard/compiler';
import { UpstreamFailure } from '../errors/upstream-failure.js';
import { upstreamTimeout, type TimeoutPhase } from '../transport/transport-errors.js';
import { ClientDisconnectedError, type ClientAbortSignal } from './exchange.js';

/** Node timers run on a millisecond clock and can fire up to 1 ms before performance.now() reaches the deadline. */
const TIMER_SLACK_MS = 1;

/** The signal undici listens to: emits 'abort' once, with `aborted` and `reason` set first. */
export class AttemptAbortEmitter extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
}

/** The attempt currently running for one client signal (attempts of a request run one after another). */
interface ClientLink {
  current: AttemptScope | undefined;
}

// Kept on the signal itself under a private symbol: a WeakMap keyed by one short-lived signal per
// request costs more in garbage-collector rehashing than the listener it saves.
const CLIENT_LINK = Symbol('switchyard.attemptLink');
type LinkedSignal = ClientAbortSignal & { [CLIENT_LINK]?: ClientLink };

function linkToClient(clientSignal: LinkedSignal, scope: AttemptScope): ClientLink {
  const link = clientSignal[CLIENT_LINK];
  if (link === undefined) {
    const created: ClientLink = { current: scope };
    clientSignal.addEventListener('abort', () => created.current?.abort(new ClientDisconnectedError()), { once: true });
    clientSignal[CLIENT_LINK] = created;
    return created;
  }
  link.current = scope;
  return link;
}

export class AttemptScope {
  /** What the transport (undici) listens to. */
  readonly abortEmitter = new AttemptAbortEmitter();
  private controller: AbortController | undefined;
  private readonly link: ClientLink | undefined;
  private readonly totalDeadline: number;
  private phase: TimeoutPhase | undefined;
  private phaseMs = 0;
  private phaseDeadline = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Infinity;
  private disposed = false;

  constructor(
    clientSignal: ClientAbortSignal,
    readonly timeouts: CompiledTimeouts,
  ) {
    const now = performance.now();
    this.totalDeadline = now + timeouts.totalMs;
    if (clientSignal.aborted) {
      this.abort(new ClientDisconnectedError());
      return;
    }
    this.link = linkToClient(clientSignal, this);
    // Every attempt starts by waiting for its first byte: arm for that deadline now, so the
    // first-byte phase finds the timer already where it needs it.
    this.arm(Math.min(now + timeouts.firstByteMs, this.totalDeadline));
  }

  get aborted(): boolean {
    return this.abortEmitter.aborted;
  }

  /** A standard AbortSignal for this attempt (in-process providers take one), made on first use. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortEmitter.aborted) this.controller.abort(this.abortEmitter.reason);
    }
    return this.controller.signal;
  }

  /** Ends the attempt (deadline, client gone, or the caller stopped reading a stream). The first reason wins. */
  abort(reason: unknown): void {
    const emitter = this.abortEmitter;
    if (emitter.aborted) return;
    emitter.aborted = true;
    emitter.reason = reason;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    emitter.emit('abort');
    this.controller?.abort(reason);
  }

  /** Clears the timer and the client link; call when the attempt is over, successful or not. */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.link !== undefined && this.link.current === this) this.link.current = undefined;
  }

  /**
   * Bounds a wait on work that stops by itself when the attempt aborts (undici requests and
   * bodies, given `abortEmitter`): the phase deadline aborts the attempt, and the work then rejects.
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
   * Bounds a wait on work that may ignore the abort (in-process providers): the returned
   * promise rejects as soon as the attempt is aborted, whatever the work does.
   */
  within<T>(work: Promise<T>, ms: number, phase: TimeoutPhase): Promise<T> {
    if (!this.abortEmitter.aborted) this.beginPhase(ms, phase);
    return this.untilAborted(work, true);
  }

  /**
   * Races work that may ignore the abort against it, under whatever phase is running. With
   * `endPhase` the phase ends with the wait; without, it stays open for the next wait to share.
   */
  untilAborted<T>(work: Promise<T>, endPhase = false): Promise<T> {
    return new Promise<T>((resolveWork, rejectWork) => {
      const emitter = this.abortEmitter;
      if (emitter.aborted) {
        rejectWork(emitter.reason);
        return;
      }
      const onAbort = (): void => {
        if (endPhase) this.endPhase();
        rejectWork(emitter.reason);
      };
      emitter.once('abort', onAbort);
      work.then(
        (value) => {
          if (endPhase) this.endPhase();
          emitter.removeListener('abort', onAbort);
          resolveWork(value);
        },
        (error: unknown) => {
          if (endPhase) this.endPhase();
          emitter.removeListener('abort', onAbort);
          rejectWork(emitter.aborted ? emitter.reason : error);
        },
      );
    });
  }

  /** What an error thrown during the attempt means: the abort reason wins over the symptom. */
  explain(error: unknown): unknown {
    if (this.abortEmitter.aborted) {
      const reason = this.abortEmitter.reason;
      if (reason instanceof UpstreamFailure || reason instanceof ClientDisconnectedError) return reason;
    }
    return error;
  }

  private arm(dueAt: number): void {
    if (this.disposed || this.abortEmitter.aborted) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = setTimeout(AttemptScope.onTimer, Math.max(1, Math.ceil(dueAt - performance.now())), this);
  }

  /** The timer callback, shared by every scope (no closure per attempt). */
  private static onTimer(this: void, scope: AttemptScope): void {
    scope.checkDeadlines();
  }

  private checkDeadlines(): void {
    this.timer = undefined;
    this.timerDueAt = Infinity;
    if (this.disposed || this.abortEmitter.aborted) return;
    const now = performance.now() + TIMER_SLACK_MS;
    if (this.phase !== undefined && now >= this.phaseDeadline) {
      this.abort(upstreamTimeout(this.phase, this.phaseMs));
      return;
    }
    if (now >= this.totalDeadline) {
      this.abort(upstreamTimeout('total', this.timeouts.totalMs));
      return;
    }
    this.arm(this.phase !== undefined ? Math.min(this.phaseDeadline, this.totalDeadline) : this.totalDeadline);
  }
}
