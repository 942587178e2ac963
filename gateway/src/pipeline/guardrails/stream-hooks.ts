// Webhook and moderation checks on streamed answers (docs/guardrails.md, "Streams"). They call
// out, which takes far longer than a chunk, so they trail the release instead of gating it: the
// text the hold-back window releases reaches the caller at once and is also queued here; one call
// at a time covers everything queued since the previous call (at least one window of it, or what
// is left at the end), with the last window already sent repeated in front for context, so a
// flagged sentence cut by a segment boundary is still seen whole. A flag or a closed failure ends
// the stream at the next chunk with the front door's error event; the end of the stream waits for
// the last call. The caller may have read the flagged segment by then: that is the price of not
// holding the answer back. How far the release may run ahead is bounded: past four windows of
// text not yet sent out, the stream waits for the call in flight (the hold-back transformer stops
// in the middle of a batch for it), so a segment is at most a window of context, four windows and
// the chunk that crossed the bound.
import type { GatewayError } from '../../errors/gateway-error.js';
import type { Exchange } from '../exchange.js';
import type { RuntimeCheck } from './guardrail-set.js';
import { blockedError, type GuardrailState } from './scan.js';
import { judge } from './webhook.js';

/** Queued characters beyond which the release waits for the call in flight, in windows. */
const MAX_LAG_WINDOWS = 4;

export class StreamHooks {
  /** Released text not yet sent to the checks. */
  private queued = '';
  /** The last window of text already sent, repeated in front of the next segment. */
  private context = '';
  private inFlight: Promise<void> | undefined;
  private refusal: GatewayError | undefined;

  constructor(
    private readonly hooks: readonly RuntimeCheck[],
    /** Characters per segment, and of context: the policy's hold-back window. */
    private readonly window: number,
    private readonly exchange: Exchange,
    private readonly state: GuardrailState,
  ) {}

  /** Throws the refusal of a call that has answered. */
  check(): void {
    if (this.refusal !== undefined) throw this.refusal;
  }

  /**
   * Queues released text, starting a call when a window of it is queued and none is in flight.
   * Returns a promise only when the release must wait: too much text is queued behind a call.
   */
  add(text: string): Promise<void> | undefined {
    this.queued += text;
    if (this.inFlight === undefined) {
      if (this.queued.length >= this.window) this.start();
      return undefined;
    }
    if (this.queued.length <= MAX_LAG_WINDOWS * this.window) return undefined;
    return this.inFlight.then(() => {
      this.check();
      if (this.inFlight === undefined && this.queued.length > 0) this.start();
    });
  }

  /** At the end of the stream: the rest sent, every call answered; throws a refusal. */
  async finish(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
    this.check();
    if (this.queued.length > 0) {
      this.start();
      await this.inFlight;
      this.check();
    }
  }

  private start(): void {
    const segment = this.context + this.queued;
    this.context = segment.slice(-this.window);
    this.queued = '';
    this.inFlight = this.run(segment).finally(() => {
      this.inFlight = undefined;
    });
  }

  private async run(segment: string): Promise<void> {
    for (const hook of this.hooks) {
      if (this.refusal !== undefined) return;
      const outcome = await judge(hook, [segment], 'output', this.exchange, this.state);
      if (outcome.kind === 'block') this.refusal = outcome.error;
      else if (outcome.kind === 'rewrite') {
        // Text already with the caller cannot be rewritten; what the service wanted changed must not go on.
        this.state.record({ policy: hook.policy, check: hook.compiled.name, on: 'output', action: 'block' });
        this.refusal = rewriteRefused(hook);
      }
    }
  }
}

function rewriteRefused(hook: RuntimeCheck): GatewayError {
  return blockedError(hook.policy, hook.compiled.name, 'output', ' (a rewrite verdict cannot change streamed text already sent)');
}
