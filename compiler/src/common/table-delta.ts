// Table deltas for the table stream: the operator diffs each published table against the one
// before it, entry by entry, and sends a gateway that negotiated deltas only what changed. The
// gateway checks a delta without re-serializing the table: both ends keep an *entry digest*, the
// sum modulo 2^256 of one SHA-256 per entry (collection, identity, canonical JSON). A sum is
// order-free and can be updated per entry: subtract the hashes of the entries a delta replaces or
// removes, add those of the entries it brings, and compare with the digest the operator computed
// over its whole table. docs/architecture.md ("Deltas on the table stream") has the design.
import { createHash, hash as oneShotHash } from 'node:crypto';
import type { RoutingTable } from '../table-types.js';
import { canonicalJson, quote } from '../values/canonical-json.js';

/** The table's content, collection by collection; the entries of each are diffed by identity. */
const RECORD_COLLECTIONS = ['routes', 'modelsByNamespace', 'mcpServers', 'mcpServersByNamespace', 'guardrailPolicies'] as const;
/** Arrays of entries with an `id`, sorted by it (keys and budgets). */
const ARRAY_COLLECTIONS = ['keys', 'budgets'] as const;
/** May be absent from a table (older producers, tables without MCP servers or policies). */
const OPTIONAL_COLLECTIONS = new Set<string>(['mcpServers', 'mcpServersByNamespace', 'guardrailPolicies']);

type RecordCollection = (typeof RECORD_COLLECTIONS)[number];
type ArrayCollection = (typeof ARRAY_COLLECTIONS)[number];
type TableCollection = RecordCollection | ArrayCollection;
const COLLECTIONS: readonly TableCollection[] = [...RECORD_COLLECTIONS, ...ARRAY_COLLECTIONS];

/** What changed in one collection: entries by identity to add or replace, identities to drop. */
interface CollectionChanges {
  upsert?: Record<string, unknown>;
  remove?: string[];
}

export interface TableChanges {
  collections: Partial<Record<TableCollection, CollectionChanges>>;
  /** Optional collections the resulting table does not have at all. */
  absent?: TableCollection[];
}

const MODULUS = 1n << 256n;

/** The table's collections, and nothing else of it (not version, hash or compiledAt). */
export type TableContent = Pick<RoutingTable, TableCollection>;

/** SHA-256 (hex) of one entry: what the digest sums and the table hash lists. */
function entryHashHex(collection: string, id: string, json: string): string {
  return oneShotHash('sha256', `${collection}\n${id}\n${json}`, 'hex');
}

function entryHash(collection: string, id: string, json: string): bigint {
  return BigInt(`0x${entryHashHex(collection, id, json)}`);
}

/** An optional collection being present counts as one entry, so absent and empty differ. */
function presenceHash(collection: string): bigint {
  return entryHash(collection, '', '');
}

function toHex(sum: bigint): string {
  return sum.toString(16).padStart(64, '0');
}

/**
 * Per-entry hashes of one table and their sum: what the operator diffs the next table against,
 * and what the table's content hash is made from (tableHashOf).
 */
export interface TableIndex {
  digest: string;
  /** Per collection, entry id -> SHA-256 (hex) of `collection \n id \n canonical JSON`, in table order. */
  entries: Map<TableCollection, Map<string, string>>;
  present: Set<TableCollection>;
  /** The sum of the entry hashes without the presence markers, kept so the next index can be updated instead of summed again. */
  entrySum: bigint;
}

// Not cached per entry object: a WeakMap over 100,000 entries made every garbage collection walk
// its ephemerons, which cost more than hashing the entries again. Instead indexTable compares each
// entry with the previous table's entry of the same id (see there).
function hashEntry(collection: string, id: string, entry: unknown): bigint {
  return entryHash(collection, id, canonicalJson(entry));
}

function collectionEntries(table: TableContent, collection: TableCollection): Iterable<[string, unknown]> | undefined {
  if (collection === 'keys' || collection === 'budgets') {
    return table[collection].map((entry): [string, unknown] => [entry.id, entry]);
  }
  const record = table[collection] as Record<string, unknown> | undefined;
  return record === undefined ? undefined : Object.entries(record);
}

/** The previous table's entries of one collection by id (keys and budgets are arrays). */
function entriesById(table: TableContent, collection: TableCollection): { get(id: string): unknown } | undefined {
  if (collection === 'keys' || collection === 'budgets') {
    const list = table[collection] as ReadonlyArray<{ id: string }>;
    // Sorted by id (the compiler's order): one binary search per lookup, no map of 100,000 ids.
    return {
      get: (id) => {
        const at = findById(list, id);
        return at >= 0 ? list[at] : undefined;
      },
    };
  }
  const record = table[collection] as Record<string, unknown> | undefined;
  return record === undefined ? undefined : { get: (id) => (Object.hasOwn(record, id) ? record[id] : undefined) };
}

/**
 * Hashes every entry of a table. With `previous` (the table indexed before and its index), an
 * entry that is the same object as the previous table's entry of that id keeps its hash, and the
 * sum is the previous sum corrected for the entries that changed, appeared or went: a compiler
 * that shares unchanged entries between versions (compileRoutingTable does, and hands out this
 * index as CompileResult.index) makes indexing a new version cost the changed entries, not the
 * table. Without `previous`, every entry is hashed; the result is the same either way.
 */
export function indexTable(table: TableContent, previous?: { table: TableContent; index: TableIndex }): TableIndex {
  // Long arrays shared by many entries (a label class's budgetIds) are serialized once per index.
  const repeated = new Map<unknown, string>();
  let sum = previous === undefined ? 0n : previous.index.entrySum;
  let presence = 0n;
  const entries = new Map<TableCollection, Map<string, string>>();
  const present = new Set<TableCollection>();
  for (const collection of COLLECTIONS) {
    const isArray = collection === 'keys' || collection === 'budgets';
    // Arrays are walked in place below; records as [id, entry] pairs.
    const items = isArray ? [] : collectionEntries(table, collection);
    const hashes = new Map<string, string>();
    entries.set(collection, hashes);
    const beforeHashes = previous?.index.entries.get(collection);
    if (items === undefined) {
      // Whatever the previous table had here is gone.
      if (beforeHashes !== undefined) for (const hash of beforeHashes.values()) sum -= BigInt(`0x${hash}`);
      continue;
    }
    present.add(collection);
    if (OPTIONAL_COLLECTIONS.has(collection)) presence += presenceHash(collection);
    const before = previous === undefined ? undefined : entriesById(previous.table, collection);
    // Keys and budgets: both arrays are sorted by id, so the previous entry at the same position is
    // the usual match and a binary search finds the others.
    const beforeList =
      collection === 'keys' || collection === 'budgets' ? (previous?.table[collection] as unknown[] | undefined) : undefined;
    // Previous ids seen again: when that is all of them (and no id came twice), none went and no
    // pass over the previous ids is needed.
    let matched = 0;
    let count = 0;
    const add = (id: string, entry: unknown, same: boolean): void => {
      count += 1;
      const old = beforeHashes?.get(id);
      if (old !== undefined) matched += 1;
      let hash = same ? old : undefined;
      if (hash === undefined) {
        hash = entryHashHex(collection, id, canonicalJson(entry, repeated));
        if (old !== undefined) sum -= BigInt(`0x${old}`);
        sum += BigInt(`0x${hash}`);
      }
      hashes.set(id, hash);
    };
    if (isArray) {
      // Walked in place (no [id, entry] pair per entry: 100,000 of them per index).
      const list = table[collection] as ReadonlyArray<{ id: string }>;
      for (let position = 0; position < list.length; position++) {
        const entry = list[position] as { id: string };
        add(entry.id, entry, beforeList !== undefined && (beforeList[position] === entry || before?.get(entry.id) === entry));
      }
    } else {
      for (const [id, entry] of items) add(id, entry, before !== undefined && before.get(id) === entry);
    }
    if (beforeHashes !== undefined && (matched < beforeHashes.size || hashes.size !== count)) {
      for (const [id, hash] of beforeHashes) if (!hashes.has(id)) sum -= BigInt(`0x${hash}`);
    }
  }
  const entrySum = ((sum % MODULUS) + MODULUS) % MODULUS;
  return { digest: toHex((entrySum + presence) % MODULUS), entries, present, entrySum };
}

/** Versioned so that a later change of what is hashed cannot give an old table's hash. */
const TABLE_HASH_PREAMBLE = 'switchyard routing table hash v2\n';
/** Hashed in pieces of about this many characters: fewer calls into the hash than one per entry, no one giant string. */
const TABLE_HASH_CHUNK_CHARS = 64 * 1024;

/**
 * The table's content hash from its index: SHA-256 over a versioned preamble, then per collection
 * (in a fixed order) present in the table its name, and per entry its id and entry hash, in table
 * order (records by id). Equal content gives an equal hash; any change to an entry changes its
 * entry hash and so the table's. Not the digest: that sum is order-free and not collision-resistant.
 * Gateways never recompute it; they compare it (acks, a delta's base, /readyz).
 */
export function tableHashOf(table: TableContent, index: TableIndex): string {
  const hash = createHash('sha256');
  let text = TABLE_HASH_PREAMBLE;
  for (const collection of COLLECTIONS) {
    if (!index.present.has(collection)) continue;
    const hashes = index.entries.get(collection) ?? new Map<string, string>();
    text += `${quote(collection)}:\n`;
    if (collection === 'keys' || collection === 'budgets') {
      // Table order: ids of a sorted array, duplicates and all.
      for (const entry of table[collection] as ReadonlyArray<{ id: string }>) {
        text += `${quote(entry.id)} ${hashes.get(entry.id)}\n`;
        if (text.length >= TABLE_HASH_CHUNK_CHARS) {
          hash.update(text, 'utf8');
          text = '';
        }
      }
    } else {
      // Records by id, whatever order they were built in: members of a JSON object have no order.
      const ids = [...hashes.keys()];
      if (!isSorted(ids)) ids.sort();
      for (const id of ids) {
        text += `${quote(id)} ${hashes.get(id)}\n`;
        if (text.length >= TABLE_HASH_CHUNK_CHARS) {
          hash.update(text, 'utf8');
          text = '';
        }
      }
    }
  }
  hash.update(text, 'utf8');
  return hash.digest('hex');
}

/** What turns the table indexed as `before` into `table` (indexed as `after`). */
export function diffTables(before: TableIndex, after: TableIndex, table: TableContent): TableChanges {
  const changes: TableChanges = { collections: {} };
  for (const collection of COLLECTIONS) {
    const old = before.entries.get(collection) ?? new Map<string, string>();
    const now = after.entries.get(collection) ?? new Map<string, string>();
    let upsertIds: string[] | undefined;
    for (const [id, hash] of now) {
      if (old.get(id) !== hash) (upsertIds ??= []).push(id);
    }
    const remove: string[] = [];
    for (const id of old.keys()) if (!now.has(id)) remove.push(id);
    if (upsertIds === undefined && remove.length === 0) continue;
    const part: CollectionChanges = {};
    if (upsertIds !== undefined) {
      const wanted = new Set(upsertIds);
      const upsert: Record<string, unknown> = {};
      for (const [id, entry] of collectionEntries(table, collection) ?? []) if (wanted.has(id)) upsert[id] = entry;
      part.upsert = upsert;
    }
    if (remove.length > 0) part.remove = remove;
    changes.collections[collection] = part;
  }
  const absent = COLLECTIONS.filter((c) => OPTIONAL_COLLECTIONS.has(c) && !after.present.has(c));
  if (absent.length > 0) changes.absent = absent;
  return changes;
}

/**
 * Applies changes to a table the gateway holds, without touching it (requests in flight keep
 * using it), and returns the new table's content with the digest it should have. Only the
 * changed entries are hashed; unchanged entries are shared with `base`.
 */
export function applyTableChanges(
  base: RoutingTable,
  baseDigest: string,
  changes: TableChanges,
  header: Pick<RoutingTable, 'version' | 'hash' | 'compiledAt'>,
): { table: RoutingTable; digest: string } {
  let sum = BigInt(`0x${baseDigest}`);
  const next: RoutingTable = { ...base, ...header };
  const absent = new Set(changes.absent ?? []);
  for (const collection of COLLECTIONS) {
    if (!OPTIONAL_COLLECTIONS.has(collection)) continue;
    const wasPresent = base[collection] !== undefined;
    if (wasPresent && absent.has(collection)) sum -= presenceHash(collection);
    if (!wasPresent && !absent.has(collection)) sum += presenceHash(collection);
  }
  for (const collection of COLLECTIONS) {
    const part = changes.collections[collection];
    if (part === undefined) continue;
    const upsert = part.upsert ?? {};
    const remove = part.remove ?? [];
    if (collection === 'keys' || collection === 'budgets') {
      const result = applyToSortedArray(base[collection] as Array<{ id: string }>, collection, upsert, remove);
      sum += result.delta;
      (next as unknown as Record<string, unknown>)[collection] = result.entries;
    } else {
      const old = (base[collection] ?? {}) as Record<string, unknown>;
      const result = applyToRecord(old, collection, upsert, remove);
      sum += result.delta;
      (next as unknown as Record<string, unknown>)[collection] = result.record;
    }
  }
  for (const collection of absent) delete (next as unknown as Record<string, unknown>)[collection];
  return { table: inTableOrder(next), digest: toHex(((sum % MODULUS) + MODULUS) % MODULUS) };
}

function applyToRecord(
  old: Record<string, unknown>,
  collection: string,
  upsert: Record<string, unknown>,
  remove: string[],
): { record: Record<string, unknown>; delta: bigint } {
  let delta = 0n;
  let adds = false;
  for (const id of remove) {
    if (Object.hasOwn(old, id)) delta -= hashEntry(collection, id, old[id]);
  }
  for (const [id, entry] of Object.entries(upsert)) {
    if (Object.hasOwn(old, id)) delta -= hashEntry(collection, id, old[id]);
    else adds = true;
    delta += hashEntry(collection, id, entry);
  }
  if (!adds) {
    // Replacing a member keeps its place, so a copy with the changes written in keeps the order.
    const record = { ...old };
    for (const id of remove) delete record[id];
    for (const [id, entry] of Object.entries(upsert)) record[id] = entry;
    return { record, delta };
  }
  // Keep the producer's order: the compiler writes records sorted by id.
  const oldIds = Object.keys(old);
  const ids = [...new Set([...oldIds, ...Object.keys(upsert)])];
  if (isSorted(oldIds)) ids.sort();
  const removed = new Set(remove);
  const record: Record<string, unknown> = {};
  for (const id of ids) {
    if (removed.has(id)) continue;
    record[id] = Object.hasOwn(upsert, id) ? upsert[id] : old[id];
  }
  return { record, delta };
}

/** Index of the entry with `id` in an array sorted by id, or where it would go (as a negative: -(index + 1)). */
function findById(entries: ReadonlyArray<{ id: string }>, id: string): number {
  let low = 0;
  let high = entries.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = (entries[middle] as { id: string }).id;
    if (at < id) low = middle + 1;
    else if (at > id) high = middle - 1;
    else return middle;
  }
  return -(low + 1);
}

/**
 * Applies changes to an array sorted by id (keys, Budgets): a binary search per changed id, so a
 * one-key change costs a copy of the array's references, not a lookup per entry.
 */
function applyToSortedArray(
  old: ReadonlyArray<{ id: string }>,
  collection: string,
  upsert: Record<string, unknown>,
  remove: string[],
): { entries: Array<{ id: string }>; delta: bigint } {
  let delta = 0n;
  const upserts = Object.entries(upsert);
  if (remove.length + upserts.length > MANY_CHANGES) return applyManyToSortedArray(old, collection, upsert, remove);
  const entries = old.slice();
  for (const id of remove) {
    const at = findById(entries, id);
    if (at < 0) continue;
    delta -= hashEntry(collection, id, entries[at]);
    entries.splice(at, 1);
  }
  for (const [id, entry] of upserts) {
    checkCarriesId(collection, id, entry);
    delta += hashEntry(collection, id, entry);
    const at = findById(entries, id);
    if (at >= 0) {
      delta -= hashEntry(collection, id, entries[at]);
      entries[at] = entry as { id: string };
    } else {
      entries.splice(-at - 1, 0, entry as { id: string });
    }
  }
  return { entries, delta };
}

/** Past this many changed ids one pass over the array beats a splice per id. */
const MANY_CHANGES = 64;

function applyManyToSortedArray(
  old: ReadonlyArray<{ id: string }>,
  collection: string,
  upsert: Record<string, unknown>,
  remove: string[],
): { entries: Array<{ id: string }>; delta: bigint } {
  let delta = 0n;
  const removed = new Set(remove);
  const entries: Array<{ id: string }> = [];
  const kept = new Set<string>();
  for (const entry of old) {
    const replaced = Object.hasOwn(upsert, entry.id);
    if (replaced || removed.has(entry.id)) delta -= hashEntry(collection, entry.id, entry);
    if (removed.has(entry.id)) continue;
    kept.add(entry.id);
    entries.push(replaced ? (upsert[entry.id] as { id: string }) : entry);
  }
  for (const [id, entry] of Object.entries(upsert)) {
    checkCarriesId(collection, id, entry);
    delta += hashEntry(collection, id, entry);
    if (!kept.has(id)) entries.push(entry as { id: string });
  }
  entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { entries, delta };
}

function checkCarriesId(collection: string, id: string, entry: unknown): void {
  if (!entry || typeof entry !== 'object' || (entry as { id?: unknown }).id !== id) {
    throw new Error(`${collection} entry ${JSON.stringify(id)} does not carry that id`);
  }
}

/** Version, hash and compiledAt, then the content sorted by name: the order of the table's own JSON. */
function inTableOrder(table: RoutingTable): RoutingTable {
  const { version, hash, compiledAt, ...content } = table;
  const ordered: Record<string, unknown> = { version, hash, compiledAt };
  const names = Object.keys(content).sort();
  for (const name of names) ordered[name] = (content as Record<string, unknown>)[name];
  return ordered as unknown as RoutingTable;
}

function isSorted(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++) if ((ids[i - 1] as string) > (ids[i] as string)) return false;
  return true;
}
