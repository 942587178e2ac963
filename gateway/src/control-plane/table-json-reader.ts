// Decodes a routing table's JSON as it comes out of gunzip, one entry at a time, instead of
// gunzipping it into one buffer, turning that into one string and parsing that whole. At 100,000
// keys the table is 184 MB of JSON: the buffer and the string alone were 370 MB on top of the
// parsed table, which set the gateway's peak memory on every full table. Here each entry of a
// collection (a key, a Budget, a route, a namespace's models...) is parsed on its own as soon as
// its last byte arrives and its repeated values are interned (table/table-interning.ts), so the
// peak is the decoded table plus one chunk.
//
// The scanner follows JSON's grammar only as far as splitting needs: strings (with escapes),
// nesting, and the two levels that matter: the table's members (depth 1) and the entries of a
// member that is an object or array (depth 2). Each piece goes to JSON.parse, which checks it.
import { createGunzip } from 'node:zlib';
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, COLON, COMMA, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from '../common/json-bytes.js';

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

type ValueKind = 'string' | 'scalar' | 'container';

export class TableJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableJsonError';
  }
}

/** Called with each entry of a collection as it is parsed; returns what to store (e.g. the entry interned). */
export type EntryHook = (collection: string, entry: unknown, name: string | undefined) => unknown;

export class TableJsonReader {
  /** The decoded table so far; complete once `finish` returned. */
  readonly table: Record<string, unknown> = {};
  private buffer: Buffer = Buffer.alloc(0);
  /** Next byte of `buffer` to scan. */
  private position = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Start (in `buffer`) of the member name being read at depth 1 or 2, or -1. */
  private keyStart = -1;
  /** Start of the depth-1 member value or depth-2 entry being read, or -1, and what it is. */
  private valueStart = -1;
  private valueKind: ValueKind = 'scalar';
  /** Per depth (1: the table, 2: a collection): a `:` was read and the value has not started yet. */
  private awaitingValue = [false, false, false];
  private member: string | undefined;
  private entryName: string | undefined;
  private collection: { name: string; into: unknown[] | Record<string, unknown> } | undefined;
  private done = false;
  bytes = 0;

  constructor(private readonly onEntry: EntryHook = (_collection, entry) => entry) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    // Keep the bytes of the piece being read (at most one entry) and append the new chunk.
    const keep = Math.min(...[this.keyStart, this.valueStart, this.position].filter((at) => at >= 0));
    this.buffer = keep >= this.buffer.length ? chunk : Buffer.concat([this.buffer.subarray(keep), chunk]);
    this.position -= keep;
    if (this.keyStart >= 0) this.keyStart -= keep;
    if (this.valueStart >= 0) this.valueStart -= keep;
    this.scan();
  }

  /** The table; throws when the JSON ended early or is not an object of members. */
  finish(): Record<string, unknown> {
    if (!this.done) throw new TableJsonError('routing table JSON ends early');
    return this.table;
  }

  private scan(): void {
    const buffer = this.buffer;
    for (let i = this.position; i < buffer.length; i++) {
      const c = buffer[i] as number;
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          continue;
        }
        // Most of a table's bytes are inside strings (ids, digests, URLs): skip to the next quote
        // or backslash in a tight loop instead of going through every case below per byte.
        let j = i;
        let d = c;
        while (d !== QUOTE && d !== BACKSLASH && ++j < buffer.length) d = buffer[j] as number;
        if (j >= buffer.length) break;
        i = j;
        if (d === BACKSLASH) this.escaped = true;
        else {
          this.inString = false;
          this.stringEnded(i);
        }
        continue;
      }
      if (this.done) {
        if (!isWhitespace(c)) throw new TableJsonError('routing table JSON has bytes after its end');
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
        this.started(i, 'string');
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        this.started(i, 'container');
        this.depth += 1;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.endScalar(i);
        this.depth -= 1;
        if (this.depth === 2) this.emit(i + 1);
        else if (this.depth === 1) this.collection = undefined;
        else if (this.depth === 0) this.done = true;
        else if (this.depth < 0) throw new TableJsonError('routing table JSON closes more than it opens');
      } else if (c === COLON) {
        if (this.depth === 1 || this.depth === 2) this.awaitingValue[this.depth] = true;
      } else if (c === COMMA) {
        this.endScalar(i);
      } else if (isWhitespace(c)) {
        this.endScalar(i);
      } else {
        this.started(i, 'scalar');
      }
    }
    this.position = buffer.length;
  }

  /** A string, container or other value starts at `at` (before `depth` counts a container). */
  private started(at: number, kind: ValueKind): void {
    const depth = this.depth;
    if (depth === 0) {
      if (kind !== 'container' || this.buffer[at] !== OPEN_OBJECT) throw new TableJsonError('routing table JSON is not an object');
      return;
    }
    if (depth > 2 || this.valueStart >= 0) return;
    const inRecord = depth === 1 || (this.collection !== undefined && !Array.isArray(this.collection.into));
    if (kind === 'string' && inRecord && !this.awaitingValue[depth]) {
      this.keyStart = at;
      return;
    }
    this.awaitingValue[depth] = false;
    if (depth === 1 && kind === 'container') {
      const name = this.takeMember();
      const into = this.buffer[at] === OPEN_ARRAY ? [] : {};
      this.table[name] = into;
      this.collection = { name, into };
      return;
    }
    this.valueStart = at;
    this.valueKind = kind;
  }

  private stringEnded(at: number): void {
    if (this.keyStart >= 0) {
      const name = JSON.parse(this.buffer.toString('utf8', this.keyStart, at + 1)) as string;
      this.keyStart = -1;
      if (this.depth === 1) this.member = name;
      else this.entryName = name;
    } else if (this.valueStart >= 0 && this.valueKind === 'string') {
      this.emit(at + 1);
    }
  }

  private endScalar(at: number): void {
    if (this.valueStart >= 0 && this.valueKind === 'scalar') this.emit(at);
  }

  /** The value from `valueStart` to `end` is whole: a table member or an entry of a collection. */
  private emit(end: number): void {
    if (this.valueStart < 0) return;
    const value: unknown = JSON.parse(this.buffer.toString('utf8', this.valueStart, end));
    this.valueStart = -1;
    if (this.depth === 1) {
      setMember(this.table, this.takeMember(), value);
      return;
    }
    const collection = this.collection as { name: string; into: unknown[] | Record<string, unknown> };
    if (Array.isArray(collection.into)) collection.into.push(this.onEntry(collection.name, value, undefined));
    else {
      const name = this.entryName;
      if (name === undefined) throw new TableJsonError(`routing table ${collection.name} entry without a name`);
      setMember(collection.into, name, this.onEntry(collection.name, value, name));
      this.entryName = undefined;
    }
  }

  private takeMember(): string {
    const name = this.member;
    if (name === undefined) throw new TableJsonError('routing table member without a name');
    this.member = undefined;
    return name;
  }
}

/** Like JSON.parse's own members: `__proto__` is an own property, not the prototype. */
function setMember(into: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(into, name, { value, writable: true, enumerable: true, configurable: true });
  else into[name] = value;
}

/** Gunzips `compressed` through a reader; resolves with the table and the JSON's byte length. */
export function gunzipTableJson(compressed: Buffer, onEntry?: EntryHook): Promise<{ table: Record<string, unknown>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const reader = new TableJsonReader(onEntry);
    const gunzip = createGunzip();
    gunzip.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        gunzip.destroy(error as Error);
      }
    });
    gunzip.on('error', reject);
    gunzip.on('end', () => {
      try {
        resolve({ table: reader.finish(), bytes: reader.bytes });
      } catch (error) {
        reject(error);
      }
    });
    gunzip.end(compressed);
  });
}
