// A fast reader for the plain subset of YAML that generated and hand-written manifests use:
// block mappings and sequences, one-line flow collections, plain and simply quoted scalars,
// comments. It builds the plain JS values directly, without the `yaml` library's CST and
// Document nodes, which made parsing most of a standalone start-up at 20,000 keys (the library
// spends about 25 times longer on the same text).
//
// It never decides anything the library might decide differently: on the first construct outside
// the subset (anchors, tags, block scalars, multi-line scalars, escapes, duplicate keys, keys or
// values YAML 1.1 resolves to something other than a string or a simple number, tabs, CRs, odd
// indentation...) it gives up on the whole file and the caller parses it with the library, which
// also produces the error messages (line and column) for anything invalid. So a file read here
// gives the same values as the library's `toJS()` with the manifest options (YAML 1.1, timestamps
// kept as strings); a differential test holds the two together.

/** Thrown inside the reader when the text leaves the subset; never escapes this module. */
class OutsideSubset extends Error {}

const outside = (): never => {
  throw new OutsideSubset();
};

interface Line {
  indent: number;
  /** The line after its indentation. */
  text: string;
}

/**
 * Whether the text has a character that makes it the library's: other line breaks (YAML 1.1
 * counts NEL, LS and PS), tabs, other controls, a byte-order mark.
 */
function hasUnsupportedCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 ? code !== 0x0a : code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029 || code === 0xfeff) return true;
  }
  return false;
}
/** A plain mapping key read here: a word that YAML 1.1 may resolve to a string (checkKey makes sure). */
const KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
/** Keys at most this long; the library refuses implicit keys over 1024 characters. */
const MAX_KEY_LENGTH = 256;
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: |$)/;
// YAML 1.1 scalars (the `yaml` library's yaml-1.1 schema) that are not strings.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
/** Decimal integers read here: no sign but minus, no leading zero (octal in 1.1), no `_`, exact as a double. */
const INTEGER = /^-?(?:0|[1-9][0-9]{0,14})$/;
const DECIMAL = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
/**
 * The library's YAML 1.1 numbers (binary, octal, decimal, hex, sexagesimal, exponent, fraction):
 * a plain scalar starting with a digit or an `e` is a string unless one of these matches it (the
 * exponent form matches `e12` too, which the library reads as NaN).
 */
const NUMBER_FORMS = [
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
];
/** First characters of plain scalars this reader leaves to the library: indicators, signs, dots (`.inf`) and `<<`. */
const PLAIN_START_UNSUPPORTED = /^[-?:,[\]{}#&*!|>'"%@`<=+.]/;
const NUMBER_START = /^[0-9eE]/;
/** What may follow a value on its line: spaces, or a comment after at least one space. */
const COMMENT_REST = /^(?: *| +#.*)$/;

/** Resolves a plain scalar as YAML 1.1 does, or gives up where the answer is not a string, null, boolean or simple number. */
function resolvePlain(text: string): unknown {
  // The null and boolean words are at most five characters long; most scalars skip those tests.
  if (text.length <= 5) {
    if (NULL.test(text)) return null;
    if (TRUE.test(text)) return true;
    if (FALSE.test(text)) return false;
  }
  const first = text.charCodeAt(0);
  if ((first >= 0x30 && first <= 0x39) || first === 0x2d) {
    if (INTEGER.test(text)) return text === '-0' ? outside() : Number(text);
    if (DECIMAL.test(text)) return Number(text);
  }
  if (PLAIN_START_UNSUPPORTED.test(text)) return outside();
  // Durations (`20ms`, `5m`) and dates are strings (the manifest options drop the timestamp type).
  if (NUMBER_START.test(text) && NUMBER_FORMS.some((form) => form.test(text))) return outside();
  return text;
}

function checkKey(key: string): string {
  // `__proto__` would set the prototype of a plain object; the library defines it as a property.
  if (key.length > MAX_KEY_LENGTH || key === '__proto__' || resolvePlain(key) !== key) outside();
  return key;
}

/**
 * The key of a `key: ...` line and where its value starts, or undefined when the line is not one.
 * Plain keys are words that YAML 1.1 reads as strings; quoted keys (`"on":`) are strings anyway.
 */
function keyOf(text: string): [string, number] | undefined {
  const first = text[0];
  if (first === '"' || first === "'") {
    const [key, end] = readQuoted(text, 0);
    if (text[end] !== ':' || (end + 1 < text.length && text[end + 1] !== ' ')) return undefined;
    if (key.length > MAX_KEY_LENGTH || key === '__proto__') outside();
    return [key, end + 1];
  }
  const match = KEY_LINE.exec(text);
  if (!match) return undefined;
  const key = match[1] as string;
  return [checkKey(key), key.length + 1];
}

function setOnce(map: Record<string, unknown>, key: string, value: unknown): void {
  // A repeated key is an error the library reports with its position.
  if (Object.hasOwn(map, key)) outside();
  map[key] = value;
}

/** A quoted scalar starting at `at`: its value and the index after the closing quote. */
function readQuoted(text: string, at: number): [string, number] {
  const quote = text[at];
  if (quote === '"') {
    const end = text.indexOf('"', at + 1);
    // Escapes (and multi-line strings) are the library's.
    if (end === -1 || text.slice(at + 1, end).includes('\\')) outside();
    return [text.slice(at + 1, end), end + 1];
  }
  let value = '';
  let from = at + 1;
  for (;;) {
    const end = text.indexOf("'", from);
    if (end === -1) outside();
    value += text.slice(from, end);
    if (text[end + 1] !== "'") return [value, end + 1];
    value += "'";
    from = end + 2;
  }
}

function skipSpaces(text: string, at: number): number {
  while (text[at] === ' ') at++;
  return at;
}

/** A flow value (collection, quoted or plain scalar) starting at `at`: its value and the index after it. */
function readFlowValue(text: string, at: number): [unknown, number] {
  const first = text[at];
  if (first === '{') return readFlowMapping(text, at);
  if (first === '[') return readFlowSequence(text, at);
  if (first === '"' || first === "'") return readQuoted(text, at);
  let end = at;
  while (end < text.length && !',[]{}#:'.includes(text[end] as string)) end++;
  const plain = text.slice(at, end).trimEnd();
  if (plain === '') outside();
  return [resolvePlain(plain), end];
}

function readFlowMapping(text: string, at: number): [Record<string, unknown>, number] {
  const map: Record<string, unknown> = {};
  let i = skipSpaces(text, at + 1);
  if (text[i] === '}') return [map, i + 1];
  for (;;) {
    const colon = text.indexOf(':', i);
    if (colon === -1 || text[colon + 1] !== ' ') outside();
    const key = text.slice(i, colon);
    if (!KEY.test(key)) outside();
    const [value, after] = readFlowValue(text, skipSpaces(text, colon + 1));
    setOnce(map, checkKey(key), value);
    i = skipSpaces(text, after);
    if (text[i] === '}') return [map, i + 1];
    if (text[i] !== ',') outside();
    i = skipSpaces(text, i + 1);
    // A trailing comma, or an entry that is not `key: value`, is the library's.
    if (text[i] === '}' || text[i] === ',') outside();
  }
}

function readFlowSequence(text: string, at: number): [unknown[], number] {
  const items: unknown[] = [];
  let i = skipSpaces(text, at + 1);
  if (text[i] === ']') return [items, i + 1];
  for (;;) {
    const [value, after] = readFlowValue(text, i);
    items.push(value);
    i = skipSpaces(text, after);
    if (text[i] === ']') return [items, i + 1];
    if (text[i] !== ',') outside();
    i = skipSpaces(text, i + 1);
    if (text[i] === ']' || text[i] === ',') outside();
  }
}

/** The value written after `key: ` or `- ` on one line (nothing may follow it but a comment). */
function readInlineValue(text: string): unknown {
  const first = text[0];
  if (first === '{' || first === '[' || first === '"' || first === "'") {
    const [value, after] = readFlowValue(text, 0);
    if (!COMMENT_REST.test(text.slice(after))) outside();
    return value;
  }
  // A plain scalar runs to the end of the line or to ` #`; `: ` inside it would be a nested mapping.
  const comment = text.indexOf(' #');
  const plain = (comment === -1 ? text : text.slice(0, comment)).trimEnd();
  if (plain.includes(': ') || plain.endsWith(':') || plain.includes('#')) outside();
  return resolvePlain(plain);
}

const isSequenceItem = (line: Line): boolean => line.text === '-' || line.text.startsWith('- ');

class BlockReader {
  private at = 0;

  constructor(private readonly lines: Line[]) {}

  document(): unknown {
    const first = this.lines[0];
    if (first === undefined) return null;
    // An indented root or a scalar root is rare enough to leave to the library.
    if (first.indent !== 0) outside();
    const value = this.block(0);
    if (this.at < this.lines.length) outside();
    return value;
  }

  private block(indent: number): unknown {
    return isSequenceItem(this.lines[this.at] as Line) ? this.sequence(indent) : this.mapping(indent);
  }

  /** What follows a `key:` or `-` with nothing after it on its line: a nested block, or null. */
  private nested(parentIndent: number, allowIndentlessSequence: boolean): unknown {
    const next = this.lines[this.at];
    if (next === undefined || next.indent < parentIndent) return null;
    if (next.indent > parentIndent) return this.block(next.indent);
    // `key:` followed by `- item` lines at the key's own indentation.
    if (allowIndentlessSequence && isSequenceItem(next)) return this.sequence(parentIndent);
    return null;
  }

  /** After a value written on its line, the next line may not be indented deeper (that would continue the value). */
  private endOfEntry(indent: number): void {
    const next = this.lines[this.at];
    if (next !== undefined && next.indent > indent) outside();
  }

  private mapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (;;) {
      const line = this.lines[this.at];
      if (line === undefined || line.indent < indent) return map;
      if (line.indent > indent) outside();
      if (isSequenceItem(line)) return map;
      const keyed = keyOf(line.text);
      if (keyed === undefined) return outside();
      const [key, valueAt] = keyed;
      const rest = line.text.slice(valueAt).trimStart();
      this.at++;
      if (rest === '' || rest.startsWith('#')) {
        setOnce(map, key, this.nested(indent, true));
      } else {
        setOnce(map, key, readInlineValue(rest));
        this.endOfEntry(indent);
      }
    }
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (;;) {
      const line = this.lines[this.at];
      if (line === undefined || line.indent < indent) return items;
      if (line.indent > indent) outside();
      if (!isSequenceItem(line)) return items;
      const afterDash = line.text.slice(1);
      const rest = afterDash.trimStart();
      if (rest === '' || rest.startsWith('#')) {
        this.at++;
        items.push(this.nested(indent, false));
      } else if (rest === '-' || rest.startsWith('- ') || keyOf(rest) !== undefined) {
        // `- key: value` (or `- - item`): a block whose first line starts after the dash; its
        // further lines sit at that column.
        const itemIndent = indent + 1 + (afterDash.length - rest.length);
        this.lines[this.at] = { indent: itemIndent, text: rest };
        items.push(this.block(itemIndent));
      } else {
        this.at++;
        items.push(readInlineValue(rest));
        this.endOfEntry(indent);
      }
    }
  }
}

/**
 * The documents of a multi-document YAML text as plain values (null for an empty document), in
 * the library's document numbering; undefined when the text uses anything outside the subset
 * this reader handles, including anything invalid: then the library must parse it.
 */
export function readPlainYamlDocuments(source: string): unknown[] | undefined {
  // Files saved with CRLF line ends: no value read here spans lines, so CRLF reads as LF; a CR
  // anywhere else is the library's.
  const text = source.includes('\r') ? source.replaceAll('\r\n', '\n') : source;
  if (hasUnsupportedCharacter(text)) return undefined;
  const documents: Line[][] = [];
  let current: Line[] = [];
  // Content before the first `---` is a document only when it has any; each `---` starts one.
  let started = false;
  try {
    for (const raw of text.split('\n')) {
      if (raw === '---') {
        if (started || current.length > 0) documents.push(current);
        current = [];
        started = true;
        continue;
      }
      // Other markers and directives (`--- value`, `...`, `%YAML`) are the library's.
      if (raw.startsWith('---') || raw.startsWith('...') || raw.startsWith('%')) return undefined;
      const body = raw.trimStart();
      if (body === '' || body.startsWith('#')) continue;
      current.push({ indent: raw.length - body.length, text: body.trimEnd() });
    }
    if (started || current.length > 0) documents.push(current);
    return documents.map((lines) => new BlockReader(lines).document());
  } catch (error) {
    if (error instanceof OutsideSubset) return undefined;
    throw error;
  }
}
