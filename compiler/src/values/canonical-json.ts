// Canonical JSON: object keys sorted, no whitespace, undefined members dropped. Equal content
// always serializes to equal bytes, which is what the table hash needs.
//
// A routing table at cluster scale is several megabytes of JSON, so the writer walks the value
// once, appends to a string, and hands it out in chunks of about CHUNK_CHARS: a hash can consume
// them as they come instead of waiting for (and holding) one giant string.

const CHUNK_CHARS = 32 * 1024;

// JSON.stringify escapes quotes, backslashes, control characters and lone surrogates. Strings
// without any of those (nearly all of them: ids, names, digests) are quoted directly.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return false;
  }
  return true;
}

/** Arrays this long or longer are looked up in (and added to) the `repeated` cache of canonicalJson. */
const REPEATED_MIN_LENGTH = 8;

/**
 * Writes the canonical JSON of `value` as a sequence of chunks; their concatenation is
 * `canonicalJson(value)`. Throws what JSON.stringify throws (a BigInt, a cycle).
 *
 * `repeated` caches the JSON of long arrays by identity, for values that share one array among
 * many places (the compiler gives every key with the same labels the same budgetIds array, which
 * at 100,000 keys is most of the table's bytes). The arrays must not change while it is in use.
 */
export function writeCanonicalJson(value: unknown, sink: (chunk: string) => void, repeated?: Map<unknown, string>): void {
  let out = '';
  const write = (node: unknown): void => {
    if (typeof node === 'string') {
      out += quote(node);
      return;
    }
    if (node === null || typeof node !== 'object') {
      if (typeof node === 'number') out += Number.isFinite(node) ? String(node) : 'null';
      else out += JSON.stringify(node) ?? 'null'; // booleans; functions, symbols and undefined become null
      return;
    }
    if (Array.isArray(node)) {
      if (repeated !== undefined && node.length >= REPEATED_MIN_LENGTH) {
        let json = repeated.get(node);
        if (json === undefined) {
          json = canonicalJson(node);
          repeated.set(node, json);
        }
        out += json;
        return;
      }
      out += '[';
      for (let i = 0; i < node.length; i++) {
        if (i > 0) out += ',';
        const item: unknown = node[i];
        if (item === undefined) out += 'null';
        else write(item);
      }
      out += ']';
    } else {
      const record = node as Record<string, unknown>;
      const keys = Object.keys(record);
      if (!isSorted(keys)) keys.sort();
      out += '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        if (first) first = false;
        else out += ',';
        out += quote(key);
        out += ':';
        write(member);
      }
      out += '}';
    }
    if (out.length >= CHUNK_CHARS) {
      sink(out);
      out = '';
    }
  };
  write(value);
  if (out.length > 0) sink(out);
}

export function canonicalJson(value: unknown, repeated?: Map<unknown, string>): string {
  let json = '';
  let chunks: string[] | undefined;
  writeCanonicalJson(
    value,
    (chunk) => {
      if (json === '') json = chunk;
      else (chunks ??= [json]).push(chunk);
    },
    repeated,
  );
  // Left as V8's tree of concatenations: what reads it next (a hash, a Buffer) flattens it once.
  // (Flattening it here too cost a copy of every table entry's JSON per index.)
  return chunks === undefined ? json : chunks.join('');
}
