// The table hash and the table's JSON come from one canonical serialization of its content:
// hashed chunk by chunk as it is written, then reused as the body of the JSON the operator
// publishes, so a compile serializes the table once rather than twice.
//
// The serialization is put together entry by entry (a key, a route, a namespace's model map),
// and the canonical JSON of an entry is kept for the next compile: an entry that is the same
// object as in the previous table (structural sharing, compile-memo.ts) is not serialized again.
// The bytes are exactly those of writeCanonicalJson over the whole content, so the hash means
// what it always meant and gateways of every version agree on it.

import { createHash } from 'node:crypto';
import type { RoutingTable } from '../table-types.js';
import { canonicalJson, quote, writeCanonicalJson } from '../values/canonical-json.js';

/** Canonical JSON of each entry by collection and id, with the entry it was made from. */
export type EntryJsonCache = Map<string, Map<string, { entry: unknown; json: string }>>;

type TableContent = Pick<
  RoutingTable,
  'routes' | 'modelsByNamespace' | 'keys' | 'budgets' | 'mcpServers' | 'mcpServersByNamespace' | 'guardrailPolicies'
>;

function contentOnly(content: TableContent): TableContent {
  const only: TableContent = {
    routes: content.routes,
    modelsByNamespace: content.modelsByNamespace,
    keys: content.keys,
    budgets: content.budgets,
  };
  // Optional so that tables built by hand (tests, older producers) hash as before.
  if (content.mcpServers !== undefined) only.mcpServers = content.mcpServers;
  if (content.mcpServersByNamespace !== undefined) only.mcpServersByNamespace = content.mcpServersByNamespace;
  if (content.guardrailPolicies !== undefined) only.guardrailPolicies = content.guardrailPolicies;
  return only;
}

/** SHA-256 over the canonical JSON of the table's content (not version, hash or compiledAt). */
export function hashTableContent(content: TableContent): string {
  const hash = createHash('sha256');
  writeCanonicalJson(contentOnly(content), (chunk) => hash.update(chunk, 'utf8'));
  return hash.digest('hex');
}

function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return keys.sort();
  }
  return keys;
}

/**
 * The content's hash and its canonical JSON, from one pass. With `cache`, an entry found in
 * `cache.previous` as the same object reuses its JSON, and every entry's JSON goes to
 * `cache.next`.
 */
export function hashAndSerializeTableContent(
  content: TableContent,
  cache?: { previous: EntryJsonCache | undefined; next: EntryJsonCache },
): { hash: string; json: string } {
  // The pieces are joined once and hashed once: cheaper than growing chunks and hashing each.
  const parts: string[] = [];
  const emit = (text: string): void => {
    parts.push(text);
  };
  // Long arrays shared by many entries (budgetIds) are serialized once per compile.
  const repeated = new Map<unknown, string>();
  const only = contentOnly(content) as unknown as Record<string, unknown>;
  let firstMember = true;
  emit('{');
  for (const collection of sortedKeys(only)) {
    const value = only[collection];
    if (value === undefined) continue;
    if (!firstMember) emit(',');
    firstMember = false;
    emit(`${quote(collection)}:`);
    const previous = cache?.previous?.get(collection);
    let next: Map<string, { entry: unknown; json: string }> | undefined;
    if (cache) cache.next.set(collection, (next = new Map()));
    const entryJson = (id: string, entry: unknown): string => {
      const known = previous?.get(id);
      const json = known !== undefined && known.entry === entry ? known.json : canonicalJson(entry, repeated);
      next?.set(id, { entry, json });
      return json;
    };
    if (Array.isArray(value)) {
      emit('[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) emit(',');
        const entry: unknown = value[i];
        const id = (entry as { id?: unknown } | null)?.id;
        // Entries without a string id (hand-built tables) are not cached: there is nothing to find them by.
        if (entry === undefined) emit('null');
        else emit(typeof id === 'string' ? entryJson(id, entry) : canonicalJson(entry, repeated));
      }
      emit(']');
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      emit('{');
      let firstEntry = true;
      for (const id of sortedKeys(record)) {
        const entry = record[id];
        if (entry === undefined) continue;
        if (!firstEntry) emit(',');
        firstEntry = false;
        emit(`${quote(id)}:${entryJson(id, entry)}`);
      }
      emit('}');
    } else {
      emit(canonicalJson(value));
    }
  }
  emit('}');
  const json = parts.join('');
  return { hash: createHash('sha256').update(json, 'utf8').digest('hex'), json };
}

/**
 * The whole table as JSON, given its content's canonical JSON: version, hash and compiledAt
 * first, then the content with keys sorted. Parses to the same value as JSON.stringify(table).
 */
export function routingTableJson(table: Pick<RoutingTable, 'version' | 'hash' | 'compiledAt'>, contentJson: string): string {
  if (!contentJson.startsWith('{"')) throw new Error('table content JSON must be a non-empty object');
  return `{"version":${JSON.stringify(table.version)},"hash":${JSON.stringify(table.hash)},"compiledAt":${JSON.stringify(table.compiledAt)},${contentJson.slice(1)}`;
}
