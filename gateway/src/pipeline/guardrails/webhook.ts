// The webhook check: the gateway POSTs the texts a check covers to a service and applies its
// verdict. The contract (docs/guardrails.md, "Webhook checks"):
//
//   request  {"version":"v1","policy":"<ns>/<name>","check":"<name>","on":"input"|"output",
//             "requestId":"...","key":"<ns>/<name>","model":"...","texts":["...", ...]}
//   answer   {"verdict":"allow"} | {"verdict":"block"} | {"verdict":"rewrite","texts":[...]}
//
// `rewrite` carries one text per text sent, in order. A timeout, a status other than 2xx, or an
// answer outside the contract is a failure: failurePolicy Closed blocks, Open lets the texts
// through unchanged; both are recorded. The service's answer never reaches the caller.
import type { GatewayError } from '../../errors/gateway-error.js';
import type { Exchange } from '../exchange.js';
import type { RuntimeCheck } from './guardrail-set.js';
import { blockedError, type Direction, type GuardrailState, type Verdict } from './scan.js';
import type { TextSlot } from './text-slots.js';
import { askModeration } from './moderation.js';
import { webhookFailure } from './webhook-transport.js';

function parseVerdict(body: unknown, sent: number): Verdict | string {
  if (body === null || typeof body !== 'object') return 'the answer is not a JSON object';
  const { verdict, texts } = body as Record<string, unknown>;
  if (verdict === 'allow' || verdict === 'block') return { verdict };
  if (verdict !== 'rewrite') return 'verdict is not allow, block or rewrite';
  if (!Array.isArray(texts) || texts.length !== sent || !texts.every((t) => typeof t === 'string')) {
    return `a rewrite must carry ${sent} texts`;
  }
  return { verdict, texts: texts as string[] };
}

async function askWebhook(check: RuntimeCheck, texts: string[], on: Direction, exchange: Exchange): Promise<Verdict | string> {
  const compiled = check.compiled;
  if (compiled.type !== 'webhook') return 'not a webhook check';
  if (exchange.postWebhook === undefined) return 'webhook calls are not available here';
  const signal = AbortSignal.any([AbortSignal.timeout(compiled.timeoutMs), exchange.clientGone.signal]);
  try {
    const body = JSON.stringify({
      version: 'v1',
      policy: check.policy,
      check: compiled.name,
      on,
      requestId: exchange.requestId,
      key: exchange.key?.id,
      model: exchange.model,
      texts,
    });
    // Through the upstream transport: the egress guard (--deny-upstream-cidrs) applies, redirects are never followed.
    const answer = await exchange.postWebhook(compiled.url, body, compiled.timeoutMs, signal);
    if (answer.status < 200 || answer.status > 299) return `the webhook answered HTTP ${answer.status}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      return 'the webhook answer is not JSON';
    }
    return parseVerdict(parsed, texts.length);
  } catch (error) {
    if (signal.aborted && !exchange.clientGone.signal.aborted) return `the webhook did not answer within ${compiled.timeoutMs} ms`;
    return `the webhook ${webhookFailure(error)}`;
  }
}

/** What one webhook or moderation check made of the texts, with the decision recorded. */
export type HookOutcome = { kind: 'pass' } | { kind: 'rewrite'; texts: string[] } | { kind: 'block'; error: GatewayError };

/**
 * Asks one webhook or moderation check about the texts and records its decision: a failure is
 * decided by failurePolicy, a block verdict by the check's action. Throws nothing.
 */
export async function judge(
  hook: RuntimeCheck,
  texts: string[],
  on: Direction,
  exchange: Exchange,
  state: GuardrailState,
): Promise<HookOutcome> {
  const verdict =
    hook.compiled.type === 'webhook' ? await askWebhook(hook, texts, on, exchange) : await askModeration(hook, texts, exchange);
  const decision = { policy: hook.policy, check: hook.compiled.name, on };
  // A caller that went away aborted the call: that is no verdict and no failure of the check.
  if (exchange.clientGone.signal.aborted)
    return { kind: 'block', error: blockedError(hook.policy, hook.compiled.name, on, ' (the caller went away)') };
  if (typeof verdict === 'string') {
    const compiled = hook.compiled;
    const failurePolicy = compiled.type === 'webhook' || compiled.type === 'moderation' ? compiled.failurePolicy : 'Closed';
    if (failurePolicy === 'Open') {
      state.record({ ...decision, action: 'log', failure: 'failed_open' });
      return { kind: 'pass' };
    }
    state.record({ ...decision, action: 'block', failure: 'failed_closed' });
    return { kind: 'block', error: blockedError(hook.policy, hook.compiled.name, on, ` (${verdict}; failurePolicy is Closed)`) };
  }
  if (verdict.verdict === 'allow') return { kind: 'pass' };
  if (verdict.verdict === 'block') {
    const action = hook.compiled.action === 'log' ? 'log' : 'block';
    state.record({ ...decision, action });
    return action === 'block' ? { kind: 'block', error: blockedError(hook.policy, hook.compiled.name, on) } : { kind: 'pass' };
  }
  return { kind: 'rewrite', texts: verdict.texts };
}

/** Runs the webhook and moderation checks in order on the slots, applying rewrites; throws the guardrail error on a block. */
export async function runWebhooks(
  hooks: readonly RuntimeCheck[],
  slots: readonly TextSlot[],
  on: Direction,
  exchange: Exchange,
  state: GuardrailState,
): Promise<void> {
  for (const hook of hooks) {
    const outcome = await judge(
      hook,
      slots.map((slot) => slot.get()),
      on,
      exchange,
      state,
    );
    if (outcome.kind === 'block') throw outcome.error;
    if (outcome.kind === 'pass') continue;
    state.record({ policy: hook.policy, check: hook.compiled.name, on, action: 'redact' });
    outcome.texts.forEach((text, i) => {
      const slot = slots[i] as TextSlot;
      if (slot.get() !== text) slot.set(text);
    });
  }
}
