// The regular expressions a GuardrailPolicy may hold run on every prompt and answer, so a pattern
// that backtracks catastrophically would let one request stall a gateway. JavaScript has no
// linear-time engine, so patterns are restricted to a subset that cannot backtrack exponentially,
// checked here by a small scan of the pattern (docs/guardrails.md, "Regular expressions"):
//
//   1. no backreferences (\1, \k<name>) and no lookaround ((?=, (?!, (?<=, (?<!);
//   2. a repeating quantifier (*, +, {n,m} with m > 1) may not apply to a group that holds a
//      quantifier or an alternation: (a+)+, (a|aa)*, (\d{2})+ are refused (use a character class
//      or spell the repetition out);
//   3. two unbounded quantifiers may not follow each other directly (\d+\d*, .*.*), the common
//      polynomial trap.
//
// The check is conservative: it refuses some harmless patterns, never admits an exponential one.

interface Frame {
  /** A repeating quantifier somewhere inside the group. */
  quantified: boolean;
  alternation: boolean;
  /** An unbounded quantifier came right before the group opened. */
  afterUnbounded: boolean;
}

interface Atom {
  /** The atom is a group holding a quantifier or an alternation. */
  risky: boolean;
  /** What made it risky, for the message. */
  holds: 'a quantifier' | 'an alternation' | undefined;
  /** An unbounded quantifier came right before the atom. */
  afterUnbounded: boolean;
}

/** Reads a `{n}`, `{n,}` or `{n,m}` quantifier at `at`; undefined when the brace is a literal. */
function braceQuantifier(pattern: string, at: number): { end: number; repeats: boolean; unbounded: boolean } | undefined {
  const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at, at + 24));
  if (match === null) return undefined;
  const min = Number(match[1]);
  const unbounded = match[2] !== undefined && match[3] === '';
  const max = match[2] === undefined ? min : unbounded ? Number.POSITIVE_INFINITY : Number(match[3]);
  return { end: at + match[0].length, repeats: max > 1, unbounded };
}

/**
 * Why `pattern` is refused (a sentence naming the construct and where it is), or undefined when
 * it is in the safe subset. Syntax errors are the caller's to find (new RegExp).
 */
export function unsafeRegexReason(pattern: string): string | undefined {
  const stack: Frame[] = [{ quantified: false, alternation: false, afterUnbounded: false }];
  let previous: Atom | undefined;
  // Whether the atom just quantified had an unbounded quantifier, and nothing came after it yet.
  let lastUnbounded = false;
  let i = 0;
  const top = (): Frame => stack[stack.length - 1] as Frame;
  while (i < pattern.length) {
    const char = pattern[i] as string;
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next)) return `backreference \\${next} at position ${i} (backreferences can backtrack exponentially)`;
      if (next === 'k' && pattern[i + 2] === '<')
        return `named backreference at position ${i} (backreferences can backtrack exponentially)`;
      i += 2;
      // \p{...}, \P{...}, \u{...}: the braces belong to the escape, not a quantifier.
      if ((next === 'p' || next === 'P' || next === 'u') && pattern[i] === '{') {
        const close = pattern.indexOf('}', i);
        i = close === -1 ? pattern.length : close + 1;
      }
      previous = { risky: false, holds: undefined, afterUnbounded: lastUnbounded };
      lastUnbounded = false;
      continue;
    }
    if (char === '[') {
      i += 1;
      if (pattern[i] === '^') i += 1;
      if (pattern[i] === ']') i += 1;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i += 1;
      previous = { risky: false, holds: undefined, afterUnbounded: lastUnbounded };
      lastUnbounded = false;
      continue;
    }
    if (char === '(') {
      if (pattern.startsWith('(?=', i) || pattern.startsWith('(?!', i) || pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i)) {
        return `lookaround at position ${i} (lookahead and lookbehind are not in the linear-time subset)`;
      }
      stack.push({ quantified: false, alternation: false, afterUnbounded: lastUnbounded });
      if (pattern.startsWith('(?:', i)) i += 3;
      else if (pattern.startsWith('(?<', i)) i = Math.max(i + 3, pattern.indexOf('>', i) + 1);
      else i += 1;
      previous = undefined;
      lastUnbounded = false;
      continue;
    }
    if (char === ')') {
      const frame = stack.length > 1 ? (stack.pop() as Frame) : top();
      previous = {
        risky: frame.quantified || frame.alternation,
        holds: frame.quantified ? 'a quantifier' : frame.alternation ? 'an alternation' : undefined,
        afterUnbounded: frame.afterUnbounded,
      };
      // The parent holds whatever the group held.
      if (frame.quantified) top().quantified = true;
      i += 1;
      lastUnbounded = false;
      continue;
    }
    if (char === '|') {
      top().alternation = true;
      previous = undefined;
      lastUnbounded = false;
      i += 1;
      continue;
    }
    let quantifier: { end: number; repeats: boolean; unbounded: boolean } | undefined;
    if (char === '*' || char === '+') quantifier = { end: i + 1, repeats: true, unbounded: true };
    else if (char === '?') quantifier = { end: i + 1, repeats: false, unbounded: false };
    else if (char === '{') quantifier = braceQuantifier(pattern, i);
    if (quantifier !== undefined && previous !== undefined) {
      if (quantifier.repeats && previous.risky) {
        return `quantifier "${pattern.slice(i, quantifier.end)}" at position ${i} repeats a group that holds ${previous.holds} (nested repetition can backtrack exponentially)`;
      }
      if (quantifier.unbounded && previous.afterUnbounded) {
        return `quantifier "${pattern.slice(i, quantifier.end)}" at position ${i} directly follows another unbounded quantifier (adjacent unbounded repetitions backtrack polynomially)`;
      }
      if (quantifier.repeats) top().quantified = true;
      lastUnbounded = quantifier.unbounded;
      i = quantifier.end;
      if (pattern[i] === '?') i += 1; // lazy
      previous = undefined;
      continue;
    }
    previous = { risky: false, holds: undefined, afterUnbounded: lastUnbounded };
    lastUnbounded = false;
    i += 1;
  }
  return undefined;
}
