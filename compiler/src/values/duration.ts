// Go-style durations (`250ms`, `30s`, `1h30m`) as the CRDs spell them. Checked with a pattern,
// not `format: duration`, because the API server's and ajv's notions of that format disagree.

export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;

/** Milliseconds in a duration string, rounded up to a whole millisecond; throws on bad syntax. */
export function parseDurationMs(text: string): number {
  if (!DURATION_RE.test(text)) {
    throw new RangeError(`invalid duration ${JSON.stringify(text)}: use a number and a unit (ms, s, m, h), e.g. 250ms or 1h30m`);
  }
  let total = 0;
  for (const match of text.matchAll(PART_RE)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  // Float sums like 0.1+0.2 land a hair above the true value; any positive duration is >= 1 ms.
  return total <= 0 ? 0 : Math.max(1, Math.ceil(total - 1e-9));
}
