// The table's content hash and, on demand, its JSON.
//
// The hash is made from the per-entry hashes of the table-stream index (common/table-delta.ts:
// one SHA-256 per entry over its collection, id and canonical JSON), listed in table order after
// a versioned preamble (tableHashOf). The compiler indexes each table anyway for the publisher,
// and reuses the hashes of entries that are the previous table's objects (structural sharing,
// compile-memo.ts), so a one-object change hashes that object's entries, not the whole table's
// JSON. Gateways only compare the hash, never recompute it.
//
// The full table's JSON is no longer built by every compile: a publisher serializes a table when
// something needs it whole (routingTableJson), which with deltas is rare.

import type { RoutingTable } from '../table-types.js';
import { indexTable, tableHashOf, type TableContent } from '../common/table-delta.js';
import { quote, writeCanonicalJson } from '../values/canonical-json.js';

/** The content hash of a table (its collections, not version, hash or compiledAt), the hash compileRoutingTable gives it. */
export function hashTableContent(content: TableContent): string {
  return tableHashOf(content, indexTable(content));
}

const CONTENT_MEMBERS = [
  'budgets',
  'guardrailPolicies',
  'keys',
  'mcpServers',
  'mcpServersByNamespace',
  'modelsByNamespace',
  'routes',
] as const satisfies ReadonlyArray<keyof TableContent>;

/**
 * The whole table as JSON: version, hash and compiledAt first (the gateway's streaming reader
 * takes them from the head), then the content in canonical JSON (members sorted). Parses to the
 * same value as JSON.stringify(table). Long arrays shared by many entries (budgetIds) are
 * serialized once.
 */
export function routingTableJson(table: RoutingTable): string {
  const parts: string[] = [
    `{"version":${JSON.stringify(table.version)},"hash":${JSON.stringify(table.hash)},"compiledAt":${JSON.stringify(table.compiledAt)}`,
  ];
  const repeated = new Map<unknown, string>();
  for (const member of CONTENT_MEMBERS) {
    const value = table[member];
    if (value === undefined) continue;
    parts.push(`,${quote(member)}:`);
    writeCanonicalJson(value, (chunk) => parts.push(chunk), repeated);
  }
  parts.push('}');
  return parts.join('');
}
