// Repeated values of a decoded routing table shared instead of held once per entry. JSON.parse
// gives every string and every array its own copy: at 100,000 keys each key carries its own list
// of Budget ids (tens of strings, the same few lists across thousands of keys), its own labels,
// rate limit and allow-list, and every route its own pricing, capabilities, retry and timeouts.
// Those are a few hundred distinct values, held here once. The table's content (and so its hash
// and entry digests) is unchanged; only identical values become the same object, so nothing may
// mutate a table's entries (nothing does: tables are immutable once decoded).
import type { CompiledBackend, CompiledRoute, CompiledVirtualKey, RoutingTable } from '@switchyard/compiler';

class TableInterner {
  private readonly strings = new Map<string, string>();
  private readonly lists = new Map<string, string[]>();
  private readonly values = new Map<string, unknown>();

  string(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  /** A list of strings; its members interned too. */
  list(value: string[]): string[] {
    const id = JSON.stringify(value);
    const known = this.lists.get(id);
    if (known !== undefined) return known;
    const list = value.map((item) => this.string(item));
    this.lists.set(id, list);
    return list;
  }

  /** A small JSON value (labels, a rate limit, pricing): equal JSON, property order included, shares one object. */
  value<T>(value: T): T {
    const id = JSON.stringify(value);
    const known = this.values.get(id);
    if (known !== undefined) return known as T;
    this.values.set(id, value);
    return value;
  }
}

/**
 * A hook for a table being decoded entry by entry (control-plane/table-json-reader.ts). An entry
 * equal to the one of the same identity in `current` (the table the gateway holds) is replaced
 * by that very object: a full table that repeats most of the serving one (a resync, an operator
 * without deltas) then costs memory for what changed only, and the runtime table is rebuilt for
 * those entries only (runtime-table.ts compares entries by identity). Other keys and routes are
 * interned in place (nothing else holds them yet).
 */
export function entryInterner(current?: RoutingTable): (collection: string, entry: unknown, name: string | undefined) => unknown {
  const interner = new TableInterner();
  return (collection, entry, name) => {
    const old = current === undefined ? undefined : entryOf(current, collection, entry, name);
    if (old !== undefined && sameJson(old, entry)) return old;
    if (collection === 'keys') internKey(entry as CompiledVirtualKey, interner);
    else if (collection === 'routes') internRoute(entry as CompiledRoute, interner);
    return entry;
  };
}

/** The entry of `table` with the identity of `entry`: by name in a record, by id in a sorted array. */
function entryOf(table: RoutingTable, collection: string, entry: unknown, name: string | undefined): unknown {
  const members = (table as unknown as Record<string, unknown>)[collection];
  if (typeof members !== 'object' || members === null) return undefined;
  if (!Array.isArray(members))
    return name !== undefined && Object.hasOwn(members, name) ? (members as Record<string, unknown>)[name] : undefined;
  const id = (entry as { id?: unknown } | null)?.id;
  if (typeof id !== 'string') return undefined;
  let low = 0;
  let high = members.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = (members[middle] as { id?: unknown } | null)?.id;
    if (typeof at !== 'string') return undefined;
    if (at < id) low = middle + 1;
    else if (at > id) high = middle - 1;
    else return members[middle];
  }
  return undefined;
}

/** Equal JSON values, member order included (so a reused entry serializes as the decoded one would). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  for (let i = 0; i < aKeys.length; i++) {
    const key = aKeys[i] as string;
    if (key !== bKeys[i] || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function internKey(key: CompiledVirtualKey, interner: TableInterner): void {
  // A malformed entry is left as it is, for the table's loading to refuse.
  if (typeof key !== 'object' || key === null) return;
  if (typeof key.namespace === 'string') key.namespace = interner.string(key.namespace);
  if (Array.isArray(key.budgetIds)) key.budgetIds = interner.list(key.budgetIds);
  if (typeof key.labels === 'object' && key.labels !== null) key.labels = interner.value(key.labels);
  if (Array.isArray(key.allowedModels)) key.allowedModels = interner.list(key.allowedModels);
  if (Array.isArray(key.guardrailPolicyIds)) key.guardrailPolicyIds = interner.list(key.guardrailPolicyIds);
  if (key.rateLimit !== undefined) key.rateLimit = interner.value(key.rateLimit);
  if (key.mcp !== undefined) key.mcp = interner.value(key.mcp);
  if (key.backendSelector !== undefined) key.backendSelector = interner.value(key.backendSelector);
  if (key.timeouts !== undefined) key.timeouts = interner.value(key.timeouts);
}

function internRoute(route: CompiledRoute, interner: TableInterner): void {
  if (typeof route !== 'object' || route === null || !Array.isArray(route.backends)) return;
  if (typeof route.namespace === 'string') route.namespace = interner.string(route.namespace);
  if (route.retry !== undefined) route.retry = interner.value(route.retry);
  if (route.timeouts !== undefined) route.timeouts = interner.value(route.timeouts);
  if (route.outlierDetection !== undefined) route.outlierDetection = interner.value(route.outlierDetection);
  if (Array.isArray(route.fallbackModels)) route.fallbackModels = interner.list(route.fallbackModels);
  for (const backend of route.backends) internBackend(backend, interner);
}

function internBackend(backend: CompiledBackend, interner: TableInterner): void {
  if (typeof backend !== 'object' || backend === null) return;
  if (typeof backend.model === 'string') backend.model = interner.string(backend.model);
  if (typeof backend.baseURL === 'string') backend.baseURL = interner.string(backend.baseURL);
  if (backend.pricing !== undefined) backend.pricing = interner.value(backend.pricing);
  if (backend.capabilities !== undefined) backend.capabilities = interner.value(backend.capabilities);
  if (backend.mock !== undefined) backend.mock = interner.value(backend.mock);
  if (backend.headers !== undefined) backend.headers = interner.value(backend.headers);
  if (backend.labels !== undefined) backend.labels = interner.value(backend.labels);
  if (backend.timeouts !== undefined) backend.timeouts = interner.value(backend.timeouts);
}
