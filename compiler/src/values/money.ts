// Money is a decimal USD string; every computation happens in integer nano-dollars (bigint) so
// that no amount is ever rounded through a float.

export const MONEY_PATTERN = '^[0-9]+(\\.[0-9]{1,9})?$';

const MONEY_RE = new RegExp(MONEY_PATTERN);
const NANOS_PER_USD = 1_000_000_000n;

/** Nano-dollars in a decimal USD string ("2.50" -> 2500000000n); throws on bad syntax. */
export function parseMoneyNanos(text: string): bigint {
  if (!MONEY_RE.test(text)) {
    throw new RangeError(`invalid amount ${JSON.stringify(text)}: use a decimal string such as "2.50" (at most 9 decimals)`);
  }
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole as string) * NANOS_PER_USD + BigInt(fraction.padEnd(9, '0'));
}

/** The decimal USD string of an amount of nano-dollars, without trailing zeros ("2.5", "0", "-1.25"). */
export function formatNanosAsUsd(nanos: bigint): string {
  const negative = nanos < 0n;
  const magnitude = negative ? -nanos : nanos;
  const whole = magnitude / NANOS_PER_USD;
  const fraction = (magnitude % NANOS_PER_USD).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
