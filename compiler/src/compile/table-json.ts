// The table hash and the table's JSON come from one canonical serialization of its content:
// hashed chunk by chunk as it is written, then reused as the body of the JSON the operator
// publishes, so a compile serializes the table once rather than twice.

import { createHash } from 'node:crypto';
import type { RoutingTable } from '../table-types.js';
import { writeCanonicalJson } from '../values/canonical-json.js';

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

/** The content's hash and its canonical JSON, from one pass. */
export function hashAndSerializeTableContent(content: TableContent): { hash: string; json: string } {
  const hash = createHash('sha256');
  const chunks: string[] = [];
  writeCanonicalJson(contentOnly(content), (chunk) => {
    hash.update(chunk, 'utf8');
    chunks.push(chunk);
  });
  return { hash: hash.digest('hex'), json: chunks.join('') };
}

/**
 * The whole table as JSON, given its content's canonical JSON: version, hash and compiledAt
 * first, then the content with keys sorted. Parses to the same value as JSON.stringify(table).
 */
export function routingTableJson(table: Pick<RoutingTable, 'version' | 'hash' | 'compiledAt'>, contentJson: string): string {
  if (!contentJson.startsWith('{"')) throw new Error('table content JSON must be a non-empty object');
  return `{"version":${JSON.stringify(table.version)},"hash":${JSON.stringify(table.hash)},"compiledAt":${JSON.stringify(table.compiledAt)},${contentJson.slice(1)}`;
}
