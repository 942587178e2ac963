// Running built-in checks over texts: every check looks at the original text, then a block (the
// first in order) wins, else every redact match is replaced in one pass, and log matches are only
// recorded. A request keeps one placeholder per distinct value ([EMAIL_1] is the same address in
// the prompt, the tool results and the answer). Decisions never carry the matched text.
import { GatewayError } from '../../errors/gateway-error.js';
import { withoutOverlaps, type Match } from './detectors.js';
import type { RuntimeCheck } from './guardrail-set.js';

export type Direction = 'input' | 'output';

/** One check that matched, as the metric, the log line and the span see it. */
export interface GuardrailDecision {
  policy: string;
  check: string;
  action: 'block' | 'redact' | 'log';
  on: Direction;
  /** A webhook that failed and what its failurePolicy made of it. */
  failure?: 'failed_open' | 'failed_closed';
}

/** One request's guardrail state (on the exchange). */
export class GuardrailState {
  readonly decisions: GuardrailDecision[] = [];
  private readonly seen = new Set<string>();
  private readonly placeholders = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  /** Placeholder -> original value, for placeholders a `restore` check issued on the prompt. */
  readonly restorable = new Map<string, string>();
  /** The longest placeholder in `restorable`: a longer fragment cannot be one still arriving. */
  longestRestorable = 0;

  record(decision: GuardrailDecision): void {
    const id = `${decision.policy}\u0000${decision.check}\u0000${decision.action}\u0000${decision.on}\u0000${decision.failure ?? ''}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.decisions.push(decision);
  }

  /** The same value gets the same placeholder for the whole request. */
  placeholder(label: string, value: string): string {
    const key = `${label}\u0000${value}`;
    let placeholder = this.placeholders.get(key);
    if (placeholder === undefined) {
      const n = (this.counters.get(label) ?? 0) + 1;
      this.counters.set(label, n);
      placeholder = `[${label}_${n}]`;
      this.placeholders.set(key, placeholder);
    }
    return placeholder;
  }

  remember(placeholder: string, value: string): void {
    this.restorable.set(placeholder, value);
    this.longestRestorable = Math.max(this.longestRestorable, placeholder.length);
  }

  /**
   * The text with every restorable placeholder replaced by its value; in JSON text (tool-call
   * arguments) the value is escaped as a JSON string's content, since placeholders only occur
   * inside strings there.
   */
  restore(text: string, json: boolean): string {
    if (this.restorable.size === 0 || !text.includes('[')) return text;
    return text.replace(PLACEHOLDER, (placeholder) => {
      const value = this.restorable.get(placeholder);
      if (value === undefined) return placeholder;
      return json ? JSON.stringify(value).slice(1, -1) : value;
    });
  }

  /**
   * Where a restorable placeholder straddles `cut` in `text` (complete, or a prefix still
   * arriving at the end of the text), its start; otherwise `cut`. Placeholders hold no `[`, so
   * only the last `[` before the cut can start one.
   */
  placeholderCut(text: string, cut: number): number {
    if (this.restorable.size === 0 || cut === 0) return cut;
    const at = text.lastIndexOf('[', cut - 1);
    if (at < 0 || cut - at >= this.longestRestorable) return cut;
    const tail = text.slice(at, at + this.longestRestorable);
    for (const placeholder of this.restorable.keys()) {
      if (at + placeholder.length <= cut) continue;
      if (tail.startsWith(placeholder) || (at + tail.length === text.length && placeholder.startsWith(tail))) return at;
    }
    return cut;
  }
}

// Placeholders as `placeholder` writes them: a label of capitals, digits and `_`, then a count.
const PLACEHOLDER = /\[[A-Z0-9_]+_[0-9]+\]/g;

export function blockedError(policy: string, check: string, on: Direction, why = ''): GatewayError {
  const what = on === 'input' ? 'request' : 'answer';
  return new GatewayError(
    'invalid_request',
    `guardrail_blocked: the ${what} was blocked by GuardrailPolicy ${policy}, check ${check}${why}`,
    {
      code: 'guardrail_blocked',
    },
  );
}

/** What a webhook or moderation check decided about the texts it was given. */
export type Verdict = { verdict: 'allow' } | { verdict: 'block' } | { verdict: 'rewrite'; texts: string[] };

/** What the checks found in one text: a block, or the redactions to apply. */
export interface TextVerdict {
  blocked: RuntimeCheck | undefined;
  redactions: Match[];
}

/** Runs the checks on one text, recording decisions; throws nothing. */
export function inspect(checks: readonly RuntimeCheck[], text: string, on: Direction, state: GuardrailState): TextVerdict {
  let blocked: RuntimeCheck | undefined;
  let redactions: Match[] | undefined;
  for (const check of checks) {
    const detector = check.detector;
    if (detector === undefined || text.length === 0) continue;
    const found = detector.find(text);
    if (found.length === 0) continue;
    const action = check.compiled.action;
    state.record({ policy: check.policy, check: check.compiled.name, action, on });
    if (action === 'block') blocked ??= check;
    else if (action === 'redact') {
      // Only prompt placeholders are restored: an answer's own redactions stay redacted.
      const restore = check.compiled.restore === true && on === 'input';
      (redactions ??= []).push(...(restore ? found.map((match) => ({ ...match, restore: true as const })) : found));
    }
  }
  return { blocked, redactions: redactions === undefined ? [] : withoutOverlaps(redactions) };
}

export function applyRedactions(text: string, redactions: readonly Match[], state: GuardrailState): string {
  if (redactions.length === 0) return text;
  let out = '';
  let at = 0;
  for (const match of redactions) {
    const value = text.slice(match.start, match.end);
    const placeholder = state.placeholder(match.label, value);
    if (match.restore === true) state.remember(placeholder, value);
    out += text.slice(at, match.start) + placeholder;
    at = match.end;
  }
  return out + text.slice(at);
}

/** Checks one text and returns it redacted; throws the guardrail error on a block. */
export function checkText(checks: readonly RuntimeCheck[], text: string, on: Direction, state: GuardrailState): string {
  const verdict = inspect(checks, text, on, state);
  if (verdict.blocked !== undefined) throw blockedError(verdict.blocked.policy, verdict.blocked.compiled.name, on);
  return applyRedactions(text, verdict.redactions, state);
}

/**
 * Tool-call arguments are JSON text: each string in it is checked on its own and the JSON written
 * again, so a placeholder never breaks the document. Text that is not JSON is checked as text.
 */
export function checkJsonText(checks: readonly RuntimeCheck[], json: string, on: Direction, state: GuardrailState): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return checkText(checks, json, on, state);
  }
  let changed = false;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const checked = checkText(checks, value, on, state);
      if (checked !== value) changed = true;
      return checked;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v);
      return out;
    }
    return value;
  };
  const result = walk(parsed);
  return changed ? JSON.stringify(result) : json;
}
