// Caller-supplied text (a model name, a path, a field name or value) that goes back into an error
// message or onto a log line is cut to a bounded length first: echoing it whole let one request
// make the gateway write a megabyte into its answer and its logs (docs/configuration.md,
// "Limits on reflected input").

/** The most characters of one caller-supplied string an error message or log line repeats. */
const MAX_REFLECTED_CHARS = 256;

/**
 * `value` as is when it is at most `maxChars` long, else its first characters and a note of how
 * long it was, so the caller can still recognize what was refused.
 */
export function reflected(value: string, maxChars = MAX_REFLECTED_CHARS): string {
  if (value.length <= maxChars) return value;
  let end = maxChars;
  // Never split a surrogate pair: half of one is not valid UTF-16 and would be mangled on output.
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}... (${value.length} characters, truncated to ${maxChars})`;
}
