// Guardrails at the pipeline's hook points (docs/guardrails.md): an input check on prompts
// (chat and embeddings; count-tokens sends nothing upstream), an output check on whole chat
// answers, and a stream transformer that holds back a bounded window of answer text so a match
// spanning chunks is caught, releasing the rest at once.
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import type { Exchange } from '../exchange.js';
import type { InputCheck, OutputCheck, StreamStage, StreamTransformer } from '../stages.js';
import { guardrailsFor, type RuntimeCheck } from './guardrail-set.js';
import { applyRedactions, blockedError, checkJsonText, checkText, GuardrailState, inspect, type Direction } from './scan.js';
import { chatRequestSlots, chatResponseSlots, embeddingsRequestSlots, type TextSlot } from './text-slots.js';
import { StreamHooks } from './stream-hooks.js';
import { runWebhooks } from './webhook.js';

export function stateOf(exchange: Exchange): GuardrailState {
  exchange.guardrails ??= new GuardrailState();
  return exchange.guardrails;
}

export function checkSlots(
  checks: readonly RuntimeCheck[],
  hooks: readonly RuntimeCheck[],
  slots: readonly TextSlot[],
  on: Direction,
  exchange: Exchange,
): void | Promise<void> {
  const state = stateOf(exchange);
  if (checks.length > 0) {
    for (const slot of slots) {
      const text = slot.get();
      const checked = slot.json ? checkJsonText(checks, text, on, state) : checkText(checks, text, on, state);
      if (checked !== text) slot.set(checked);
    }
  }
  if (hooks.length > 0) return runWebhooks(hooks, slots, on, exchange, state);
}

export const guardrailInputCheck: InputCheck = (checked, exchange) => {
  if (checked.operation === 'count-tokens') return;
  const set = guardrailsFor(exchange.table, exchange.key, exchange.route);
  if (set === undefined || set.input.length + set.inputHooks.length === 0) return;
  const slots = checked.operation === 'embeddings' ? embeddingsRequestSlots(checked.request) : chatRequestSlots(checked.request);
  return checkSlots(set.input, set.inputHooks, slots, 'input', exchange);
};

/** Puts the prompt's restorable values back into the answer, after the output checks ran on what the model wrote. */
export function restoreSlots(slots: readonly TextSlot[], state: GuardrailState): void {
  for (const slot of slots) {
    const text = slot.get();
    const restored = state.restore(text, slot.json);
    if (restored !== text) slot.set(restored);
  }
}

export const guardrailOutputCheck: OutputCheck = (answer, exchange) => {
  if (answer.operation !== 'chat') return;
  const set = guardrailsFor(exchange.table, exchange.key, exchange.route);
  if (set === undefined || set.output.length + set.outputHooks.length === 0) {
    if (set?.restore === true && exchange.guardrails !== undefined) restoreSlots(chatResponseSlots(answer.response), exchange.guardrails);
    return;
  }
  const slots = chatResponseSlots(answer.response);
  const checked = checkSlots(set.output, set.outputHooks, slots, 'output', exchange);
  if (!set.restore) return checked;
  const state = stateOf(exchange);
  if (checked === undefined) return restoreSlots(slots, state);
  return checked.then(() => restoreSlots(slots, state));
};

/**
 * Holds back the last `window` characters of streamed text, per channel: the answer text, or one
 * tool call's arguments. Each batch, the held text is checked whole: a block ends the stream (the
 * front door's error event); matches that end before the window are redacted and released with
 * the clean text before them; a match reaching into the window is held until it is complete,
 * unless the held text grows past four windows. Any other event (a tool call starting, the
 * finish), or a delta of another channel, releases everything held first, so order is kept.
 */
class HoldbackTransformer implements StreamTransformer {
  private held = '';
  /** undefined: the answer text; a number: that tool call's arguments. */
  private channel: number | undefined;
  /** Set by release when the webhook and moderation checks ask the stream to wait for them. */
  private wait: Promise<void> | undefined;

  constructor(
    private readonly checks: readonly RuntimeCheck[],
    private readonly window: number,
    private readonly state: GuardrailState,
    /** Webhook and moderation output checks, trailing the release; undefined when there are none. */
    private readonly hooks: StreamHooks | undefined,
  ) {}

  transform(events: UnifiedStreamEvent[]): UnifiedStreamEvent[] | Promise<UnifiedStreamEvent[]> {
    this.hooks?.check();
    return this.process(events, 0, []);
  }

  /**
   * The events from `from` on, appended to `out`. When the webhook and moderation checks ask the
   * release to wait (too much text queued behind their call), the rest of the batch waits too:
   * a batch of many chunks cannot run further ahead of the checks than one chunk.
   */
  private process(
    events: UnifiedStreamEvent[],
    from: number,
    out: UnifiedStreamEvent[],
  ): UnifiedStreamEvent[] | Promise<UnifiedStreamEvent[]> {
    for (let i = from; i < events.length; i++) {
      const event = events[i] as UnifiedStreamEvent;
      if (event.type === 'text_delta' || event.type === 'tool_call_delta') {
        const channel = event.type === 'text_delta' ? undefined : event.index;
        if (channel !== this.channel) this.flush(out);
        this.channel = channel;
        this.held += event.type === 'text_delta' ? event.text : event.argumentsDelta;
        this.emit(out, this.release(false));
      } else {
        if (event.type !== 'response_start' && event.type !== 'usage') this.flush(out);
        out.push(event);
      }
      const wait = this.wait;
      if (wait !== undefined) {
        this.wait = undefined;
        return wait.then(() => {
          this.hooks?.check();
          return this.process(events, i + 1, out);
        });
      }
    }
    return out;
  }

  end(): UnifiedStreamEvent[] | undefined | Promise<UnifiedStreamEvent[] | undefined> {
    const out: UnifiedStreamEvent[] = [];
    this.flush(out);
    const rest = out.length > 0 ? out : undefined;
    const hooks = this.hooks;
    if (hooks === undefined) return rest;
    // The stream ends only once the checks have seen all of it.
    const wait = this.wait ?? Promise.resolve();
    this.wait = undefined;
    return wait.then(() => hooks.finish()).then(() => rest);
  }

  private flush(out: UnifiedStreamEvent[]): void {
    if (this.held.length > 0) this.emit(out, this.release(true));
  }

  private emit(out: UnifiedStreamEvent[], released: string): void {
    if (released.length === 0) return;
    out.push(
      this.channel === undefined
        ? { type: 'text_delta', text: released }
        : { type: 'tool_call_delta', index: this.channel, argumentsDelta: released },
    );
  }

  private release(all: boolean): string {
    const text = this.held;
    if (!all && text.length <= this.window) return '';
    const verdict = inspect(this.checks, text, 'output', this.state);
    if (verdict.blocked !== undefined) {
      this.held = '';
      throw blockedError(verdict.blocked.policy, verdict.blocked.compiled.name, 'output');
    }
    let cut = all ? text.length : text.length - this.window;
    // Never release part of a placeholder to restore: hold it until it is whole.
    if (!all) cut = this.state.placeholderCut(text, cut);
    const redactions = [];
    for (const match of verdict.redactions) {
      if (match.end <= cut) redactions.push(match);
      else if (match.start < cut) {
        // Still growing, perhaps: hold it, unless holding it would keep too much back.
        if (text.length - match.start > 4 * this.window) {
          redactions.push(match);
          cut = match.end;
        } else cut = match.start;
        break;
      } else break;
    }
    this.held = text.slice(cut);
    const released = applyRedactions(text.slice(0, cut), redactions, this.state);
    // The webhook and moderation checks see the text the built-in checks left, before restoring, as on whole answers.
    if (this.hooks !== undefined && released.length > 0) {
      const wait = this.hooks.add(released);
      if (wait !== undefined) {
        // Marked handled: a block thrown later in this batch leaves the waits unread (the stream ends with that block).
        const chained = this.wait === undefined ? wait : this.wait.then(() => wait);
        wait.catch(() => undefined);
        chained.catch(() => undefined);
        this.wait = chained;
      }
    }
    return this.state.restore(released, this.channel !== undefined);
  }
}

export const guardrailStreamStage: StreamStage = (exchange) => {
  const set = guardrailsFor(exchange.table, exchange.key, exchange.route);
  if (set === undefined || (set.output.length === 0 && set.outputHooks.length === 0 && !set.restore)) return undefined;
  const state = stateOf(exchange);
  const hooks = set.outputHooks.length > 0 ? new StreamHooks(set.outputHooks, set.streamHoldback, exchange, state) : undefined;
  // Webhook and moderation checks alone hold nothing back: they trail the release.
  const window = set.output.length === 0 && !set.restore ? 0 : set.streamHoldback;
  return new HoldbackTransformer(set.output, window, state, hooks);
};
