// The routing table as the request path uses it: built once per table load so a request does
// map lookups only. Digests index keys, model names index routes per namespace, allow-list
// globs are compiled RegExps, weights are cumulative arrays, and every backend is bound to its
// provider adapter and to its health state.
import type {
  CompiledBackend,
  CompiledCredential,
  CompiledGuardrailPolicy,
  CompiledMCPServer,
  CompiledRoute,
  CompiledRuleMatch,
  CompiledVirtualKey,
  RoutingStrategy,
  RoutingTable,
} from '@switchyard/compiler';
import { globToRegExpSource } from '@switchyard/compiler';
import { UpstreamFailure } from '../errors/upstream-failure.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { FileCredentialStore } from './file-credentials.js';
import { healthKey, type BackendHealth, type BackendHealthStore } from './backend-health.js';
import { LayeredMap } from './layered-map.js';
import { createWeightedPicker, type WeightedPicker } from './weighted-picker.js';

export interface RuntimeBackend {
  readonly name: string;
  readonly compiled: CompiledBackend;
  readonly adapter: ProviderAdapter;
  /** Undefined for backends without credentials (mock, ambient AWS identity). */
  readonly credentials: WeightedPicker<CompiledCredential> | undefined;
  readonly health: BackendHealth;
  /**
   * The credential an attempt sends: the picked one, or for a file credential one carrying the
   * file's current value. Throws an AuthError UpstreamFailure while the file cannot be used.
   */
  resolveCredential(credential: CompiledCredential): CompiledCredential;
}

export interface RuntimeTier {
  readonly priority: number;
  readonly backends: WeightedPicker<RuntimeBackend>;
}

/** A routing rule with its backends already grouped into tiers, so a match costs no allocation. */
interface RuntimeRule {
  readonly name: string;
  readonly match: CompiledRuleMatch;
  /** Empty for a rule that names another route. */
  readonly tiers: readonly RuntimeTier[];
  /** The public model name of the route that serves matching requests instead (`spec.rules[].route`). */
  readonly route?: string;
}

export interface RuntimeRoute {
  readonly id: string;
  readonly model: string;
  /** The model name and its aliases. */
  readonly names: readonly string[];
  readonly compiled: CompiledRoute;
  /** Priority tiers, lowest priority number (served first) first; drained (weight 0) backends left out. */
  readonly tiers: readonly RuntimeTier[];
  readonly strategy: RoutingStrategy;
  /** In spec order; rules whose every backend is drained are left out (they could serve nothing). */
  readonly rules: readonly RuntimeRule[];
  /** Usable (not drained) backends by name, for affinity. */
  readonly backendsByName: ReadonlyMap<string, RuntimeBackend>;
  /** Set when a rule names another route: the pipeline matches rules before admission then. */
  readonly handsOver?: true;
  /**
   * Set on a key's view of a route (keys with `backendSelector`) when none of the route's
   * backends carries the labels the key requires: the route answers 403 and is never a fallback.
   */
  readonly backendSelectorUnmatched?: true;
}

export interface RuntimeKey {
  readonly id: string;
  readonly compiled: CompiledVirtualKey;
  /** Public model names and aliases this key's namespace can see. */
  readonly models: ReadonlyMap<string, RuntimeRoute>;
  /** True when the key's allow-list admits the route under its name or any alias. */
  mayUse(route: RuntimeRoute): boolean;
}

export interface RuntimeTable {
  readonly version: number;
  readonly hash: string;
  readonly compiledAtSeconds: number;
  readonly keysByDigest: ReadonlyMap<string, RuntimeKey>;
  /** Keys with `subjects` (callers with their own tokens), in namespace/name order (governance/identity indexes them). */
  readonly keysWithSubjects: readonly RuntimeKey[];
  readonly routes: ReadonlyMap<string, RuntimeRoute>;
  /** Key namespace -> the MCPServers its keys may reach, ordered by id (the `/mcp` endpoint's tool order starts here). */
  readonly mcpServersByNamespace: ReadonlyMap<string, readonly CompiledMCPServer[]>;
  /** GuardrailPolicies by id; keys list the ones that select them (pipeline/guardrails). */
  readonly guardrailPolicies: ReadonlyMap<string, CompiledGuardrailPolicy>;
}

export class TableLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableLoadError';
  }
}

export interface MaterializeOptions {
  registry: ProviderRegistry;
  health: BackendHealthStore;
  /** Where `file` credentials are read; absent, attempts with one fail (naming the path). */
  fileCredentials?: FileCredentialStore;
}

/** The paths of every file credential in a table, which the gateway then watches. */
export function credentialFiles(table: RoutingTable): Set<string> {
  const paths = new Set<string>();
  for (const route of Object.values(table.routes))
    for (const backend of route.backends)
      for (const credential of backend.credentials) if (credential.file) paths.add(credential.file.path);
  return paths;
}

/**
 * A materialized table with what the next load reuses from it: the source it was built from
 * (whose entries are compared by identity with the next source's) and the per-namespace model
 * maps and views its keys point at.
 */
export interface MaterializedTable {
  readonly source: RoutingTable;
  readonly table: RuntimeTable;
  /** Namespace -> its model names (residency views aside). */
  readonly models: ReadonlyMap<string, ReadonlyMap<string, RuntimeRoute>>;
  /** `namespace NUL selector` -> the views keys with that backendSelector see. */
  readonly views: ReadonlyMap<string, ReadonlyMap<string, RuntimeRoute>>;
  /** Digests more than one key carries (the later key wins): a change to any of them rebuilds the index. */
  readonly duplicateDigests: ReadonlySet<string>;
  /** Allow-list matchers by pattern, shared by every key with the same `allowedModels`. */
  readonly allowLists: ReadonlyMap<string, { readonly pattern: RegExp; readonly decisions: WeakMap<RuntimeRoute, boolean> }>;
}

/**
 * Builds the runtime table for `source`. With `previous` (the table the gateway serves), only what
 * changed is rebuilt: an entry of `source` that is the very object of `previous.source` (a delta
 * shares unchanged entries, common/table-delta.ts) keeps its runtime object, so the new table
 * shares routes, keys and maps with the old one and a request holding the old table still sees
 * the old one whole. The result answers exactly like a table built from scratch
 * (gateway/test/core/incremental-table.test.ts holds both side by side over random changes).
 */
export function materializeIncrementally(
  source: RoutingTable,
  options: MaterializeOptions,
  previous: MaterializedTable | undefined,
): MaterializedTable {
  const before = previous?.source;
  // Routes: rebuilt when their entry is not the previous one's object; everything that can fail
  // is checked before health states are committed, so a rejected table leaves them untouched.
  const changedRoutes = new Set<string>();
  const adapters = new Map<CompiledBackend, ProviderAdapter>();
  // A delta that touched no route leaves the record itself the same object: nothing to look at.
  const sameRoutes = before !== undefined && before.routes === source.routes;
  for (const [id, route] of sameRoutes ? [] : Object.entries(source.routes)) {
    if (before !== undefined && before.routes[id] === route && previous?.table.routes.has(id)) continue;
    changedRoutes.add(id);
    if (route.backends.length === 0) throw new TableLoadError(`route ${route.id} has no backends`);
    for (const backend of route.backends) {
      const adapter = options.registry[backend.provider];
      if (adapter === undefined) {
        throw new TableLoadError(
          `route ${route.id} backend "${backend.name}": provider "${backend.provider}" has no adapter in this gateway build`,
        );
      }
      adapters.set(backend, adapter);
    }
  }
  const removedRoutes: string[] = [];
  if (previous !== undefined && !sameRoutes)
    for (const id of previous.table.routes.keys()) if (!Object.hasOwn(source.routes, id)) removedRoutes.push(id);

  for (const [namespace, names] of Object.entries(source.modelsByNamespace)) {
    if (before !== undefined && before.modelsByNamespace[namespace] === names && before.routes === source.routes) continue;
    for (const [name, routeId] of Object.entries(names))
      if (!Object.hasOwn(source.routes, routeId))
        throw new TableLoadError(`namespace ${namespace}: model "${name}" points at unknown route ${routeId}`);
  }
  const sameMcp =
    before !== undefined && before.mcpServers === source.mcpServers && before.mcpServersByNamespace === source.mcpServersByNamespace;
  const mcpServers = sameMcp && previous !== undefined ? previous.table.mcpServersByNamespace : mcpServersByNamespace(source);

  const routes = rebuildRoutes(source, options, previous, changedRoutes, removedRoutes, adapters);
  const routesReplaced = new Set([...changedRoutes, ...removedRoutes]);
  const { models, changedNamespaces } = rebuildModels(source, previous, routes, routesReplaced);

  // Views and allow lists of unchanged namespaces carry over; copies, so a failed load leaves the previous ones as they were.
  const views = new Map<string, ReadonlyMap<string, RuntimeRoute>>();
  for (const [cacheKey, view] of previous?.views ?? []) {
    if (!changedNamespaces.has(cacheKey.slice(0, cacheKey.indexOf('\u0000')))) views.set(cacheKey, view);
  }
  const allowLists = new Map(previous?.allowLists ?? []);
  const keys = rebuildKeys(source, previous, models, changedNamespaces, new ResidencyViews(views), allowLists);

  const compiledAtMs = Date.parse(source.compiledAt);
  const samePolicies = before !== undefined && before.guardrailPolicies === source.guardrailPolicies;
  const table: RuntimeTable = {
    mcpServersByNamespace: mcpServers,
    version: source.version,
    hash: source.hash,
    compiledAtSeconds: Number.isNaN(compiledAtMs) ? Math.floor(Date.now() / 1000) : Math.floor(compiledAtMs / 1000),
    keysByDigest: keys.byDigest,
    keysWithSubjects: keys.withSubjects,
    routes,
    guardrailPolicies:
      samePolicies && previous !== undefined ? previous.table.guardrailPolicies : new Map(Object.entries(source.guardrailPolicies ?? {})),
  };
  return { source, table, models, views, allowLists, duplicateDigests: keys.duplicateDigests };
}

function rebuildRoutes(
  source: RoutingTable,
  options: MaterializeOptions,
  previous: MaterializedTable | undefined,
  changedRoutes: ReadonlySet<string>,
  removedRoutes: readonly string[],
  adapters: ReadonlyMap<CompiledBackend, ProviderAdapter>,
): ReadonlyMap<string, RuntimeRoute> {
  if (previous !== undefined && changedRoutes.size === 0 && removedRoutes.length === 0) return previous.table.routes;
  const healthEntries: Array<{ routeId: string; backendName: string }> = [];
  for (const id of changedRoutes) {
    for (const backend of (source.routes[id] as CompiledRoute).backends) healthEntries.push({ routeId: id, backendName: backend.name });
  }
  const healthByKey =
    previous === undefined
      ? options.health.retain(healthEntries)
      : options.health.replaceRoutes(
          [...changedRoutes, ...removedRoutes].flatMap((id) => previousBackends(previous, id)),
          healthEntries,
        );
  const rebuilt = new Map<string, RuntimeRoute>();
  for (const id of changedRoutes) {
    const route = source.routes[id] as CompiledRoute;
    const backends: RuntimeBackend[] = [];
    for (const backend of route.backends) {
      // Weight 0 drains a backend or a credential; a backend whose every credential is drained is drained too.
      const credentials = backend.credentials.filter((c) => c.weight > 0);
      if (backend.weight <= 0 || (backend.credentials.length > 0 && credentials.length === 0)) continue;
      backends.push({
        name: backend.name,
        compiled: backend,
        adapter: adapters.get(backend) as ProviderAdapter,
        credentials: credentials.length > 0 ? createWeightedPicker(credentials, (c) => c.weight) : undefined,
        health: healthByKey.get(healthKey(route.id, backend.name)) as BackendHealth,
        resolveCredential: fileCredentialResolver(backend, options.fileCredentials),
      });
    }
    rebuilt.set(id, runtimeRoute(route, backends));
  }
  // In the source's order, as a table built from scratch has them.
  const routes = new Map<string, RuntimeRoute>();
  for (const id of Object.keys(source.routes)) routes.set(id, rebuilt.get(id) ?? (previous?.table.routes.get(id) as RuntimeRoute));
  return routes;
}

/** The (route, backend) pairs a route of the previous table had health states for. */
function previousBackends(previous: MaterializedTable, routeId: string): Array<{ routeId: string; backendName: string }> {
  const route = previous.source.routes[routeId];
  return route === undefined ? [] : route.backends.map((backend) => ({ routeId, backendName: backend.name }));
}

/** Per-namespace model maps: a namespace's map is rebuilt when its entry changed or one of its routes was replaced. */
function rebuildModels(
  source: RoutingTable,
  previous: MaterializedTable | undefined,
  routes: ReadonlyMap<string, RuntimeRoute>,
  routesReplaced: ReadonlySet<string>,
): { models: ReadonlyMap<string, ReadonlyMap<string, RuntimeRoute>>; changedNamespaces: Set<string> } {
  const changedNamespaces = new Set<string>();
  const models = new Map<string, ReadonlyMap<string, RuntimeRoute>>();
  for (const [namespace, names] of Object.entries(source.modelsByNamespace)) {
    const kept = previous?.models.get(namespace);
    if (kept !== undefined && previous?.source.modelsByNamespace[namespace] === names && !pointsAtAny(names, routesReplaced)) {
      models.set(namespace, kept);
      continue;
    }
    changedNamespaces.add(namespace);
    const map = new Map<string, RuntimeRoute>();
    for (const [name, routeId] of Object.entries(names)) {
      const route = routes.get(routeId);
      if (route === undefined) throw new TableLoadError(`namespace ${namespace}: model "${name}" points at unknown route ${routeId}`);
      map.set(name, route);
    }
    models.set(namespace, map);
  }
  for (const namespace of previous?.models.keys() ?? []) if (!models.has(namespace)) changedNamespaces.add(namespace);
  return { models, changedNamespaces };
}

function pointsAtAny(names: Record<string, string>, routeIds: ReadonlySet<string>): boolean {
  if (routeIds.size === 0) return false;
  for (const routeId of Object.values(names)) if (routeIds.has(routeId)) return true;
  return false;
}

/**
 * Keys: a key is rebuilt when its entry changed or its namespace's models did; the digest index
 * is copied and patched for those only. Keys are sorted by id in the table, so one merge walk
 * over the old and new arrays finds the changed entries by identity.
 */
function rebuildKeys(
  source: RoutingTable,
  previous: MaterializedTable | undefined,
  models: ReadonlyMap<string, ReadonlyMap<string, RuntimeRoute>>,
  changedNamespaces: ReadonlySet<string>,
  views: ResidencyViews,
  allowLists: Map<string, AllowList>,
): { byDigest: ReadonlyMap<string, RuntimeKey>; withSubjects: readonly RuntimeKey[]; duplicateDigests: ReadonlySet<string> } {
  const noModels: ReadonlyMap<string, RuntimeRoute> = new Map();
  const build = (key: CompiledVirtualKey): RuntimeKey => {
    const namespaceModels = models.get(key.namespace) ?? noModels;
    const visible =
      key.backendSelector === undefined
        ? namespaceModels
        : views.modelsFor(key.namespace, namespaceModels, key.backendSelector.matchLabels);
    return createRuntimeKey(key, visible, allowLists);
  };
  if (previous === undefined) {
    const byDigest = new Map<string, RuntimeKey>();
    const withSubjects: RuntimeKey[] = [];
    const duplicateDigests = new Set<string>();
    for (const key of source.keys) {
      const runtime = build(key);
      if (key.digest !== undefined) {
        const digest = lowerCase(key.digest);
        if (byDigest.has(digest)) duplicateDigests.add(digest);
        byDigest.set(digest, runtime);
      }
      if (key.subjects !== undefined) withSubjects.push(runtime);
    }
    return { byDigest, withSubjects, duplicateDigests };
  }

  const oldKeys = previous.source.keys;
  const newKeys = source.keys;
  const removed: CompiledVirtualKey[] = [];
  const added: CompiledVirtualKey[] = [];
  if (oldKeys !== newKeys) {
    let i = 0;
    let j = 0;
    while (i < oldKeys.length || j < newKeys.length) {
      const a = oldKeys[i];
      const b = newKeys[j];
      if (a !== undefined && a === b) {
        i++;
        j++;
      } else if (b === undefined || (a !== undefined && a.id < b.id)) {
        removed.push(a as CompiledVirtualKey);
        i++;
      } else if (a === undefined || b.id < a.id) {
        added.push(b);
        j++;
      } else {
        removed.push(a);
        added.push(b);
        i++;
        j++;
      }
    }
  }
  // Keys of namespaces whose models changed see other maps now, and keys naming a changed
  // GuardrailPolicy must not keep what was derived from the old one (the pipeline caches
  // guardrail sets per runtime key): rebuilt too, as they are.
  const addedSet = new Set(added);
  const changedPolicies = changedRecordIds(previous.source.guardrailPolicies, source.guardrailPolicies);
  if (changedNamespaces.size > 0 || changedPolicies.size > 0) {
    for (const key of newKeys) {
      const stale = changedNamespaces.has(key.namespace) || (key.guardrailPolicyIds?.some((id) => changedPolicies.has(id)) ?? false);
      if (stale && !addedSet.has(key)) {
        removed.push(key);
        added.push(key);
      }
    }
  }
  const { duplicateDigests } = previous;
  // Most keys changed (a standalone recompile makes every entry a new object): a fresh index is cheaper than patching a copy.
  if (added.length > newKeys.length / 2) return rebuildKeys(source, undefined, models, changedNamespaces, views, allowLists);
  if (removed.length === 0 && added.length === 0)
    return { byDigest: previous.table.keysByDigest, withSubjects: previous.table.keysWithSubjects, duplicateDigests };

  // The changes to the digest index, laid over the previous one (LayeredMap): not a copy of 100,000 entries per delta.
  const changes = new Map<string, RuntimeKey | undefined>();
  const current = (digest: string): RuntimeKey | undefined =>
    changes.has(digest) ? changes.get(digest) : previous.table.keysByDigest.get(digest);
  let subjectsTouched = false;
  for (const key of removed) {
    if (key.subjects !== undefined) subjectsTouched = true;
    if (key.digest === undefined) continue;
    const digest = lowerCase(key.digest);
    // Two keys with one digest (the later one in the table wins): rare enough to rebuild them all.
    if (duplicateDigests.has(digest) || current(digest)?.compiled !== key)
      return rebuildKeys(source, undefined, models, changedNamespaces, views, allowLists);
    changes.set(digest, undefined);
  }
  const rebuilt = new Map<CompiledVirtualKey, RuntimeKey>();
  for (const key of added) {
    const runtime = build(key);
    rebuilt.set(key, runtime);
    if (key.subjects !== undefined) subjectsTouched = true;
    if (key.digest === undefined) continue;
    const digest = lowerCase(key.digest);
    if (current(digest) !== undefined) return rebuildKeys(source, undefined, models, changedNamespaces, views, allowLists);
    changes.set(digest, runtime);
  }
  const byDigest = LayeredMap.update(previous.table.keysByDigest, changes);
  let withSubjects = previous.table.keysWithSubjects;
  if (subjectsTouched) {
    const kept = new Map(previous.table.keysWithSubjects.map((runtime) => [runtime.compiled, runtime]));
    withSubjects = newKeys.filter((key) => key.subjects !== undefined).map((key) => rebuilt.get(key) ?? (kept.get(key) as RuntimeKey));
  }
  return { byDigest, withSubjects, duplicateDigests };
}

/** Ids whose entry differs (by identity) between two records, added and removed ones included. */
function changedRecordIds(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): Set<string> {
  const changed = new Set<string>();
  if (before === after) return changed;
  for (const id of Object.keys(before ?? {})) if (before?.[id] !== after?.[id]) changed.add(id);
  for (const id of Object.keys(after ?? {})) if (before?.[id] !== after?.[id]) changed.add(id);
  return changed;
}

/** Digests are lower-case hex already; only an upper-case one costs a copy. */
function lowerCase(digest: string): string {
  return /[A-F]/.test(digest) ? digest.toLowerCase() : digest;
}

function fileCredentialResolver(
  backend: CompiledBackend,
  store: FileCredentialStore | undefined,
): (credential: CompiledCredential) => CompiledCredential {
  if (!backend.credentials.some((credential) => credential.file !== undefined)) return (credential) => credential;
  return (credential) => {
    if (credential.file === undefined) return credential;
    if (store === undefined) throw new UpstreamFailure('AuthError', 0, `credential file ${credential.file.path} is not read by this table`);
    return store.resolve(credential, backend.provider);
  };
}

function runtimeRoute(route: CompiledRoute, backends: RuntimeBackend[], selectorUnmatched = false): RuntimeRoute {
  const rules: RuntimeRule[] = [];
  let handsOver = false;
  for (const rule of route.rules ?? []) {
    if (rule.route !== undefined) {
      rules.push({ name: rule.name, match: rule.match, tiers: [], route: rule.route });
      handsOver = true;
      continue;
    }
    const named = new Set(rule.backends);
    const members = backends.filter((backend) => named.has(backend.name));
    if (members.length > 0) rules.push({ name: rule.name, match: rule.match, tiers: groupIntoTiers(members) });
  }
  return {
    id: route.id,
    model: route.model,
    names: [route.model, ...route.aliases],
    compiled: route,
    tiers: groupIntoTiers(backends),
    strategy: route.strategy ?? 'weighted',
    rules,
    ...(handsOver ? { handsOver: true as const } : {}),
    backendsByName: new Map(backends.map((backend) => [backend.name, backend])),
    ...(selectorUnmatched ? { backendSelectorUnmatched: true as const } : {}),
  };
}

/**
 * Data residency, decided once per table load: a key with `backendSelector` sees each route as a
 * view holding only the backends whose labels match, so tiers, weights, rules, retries and
 * fallbacks can only ever pick among those. The views share the backends (and their health) with
 * the full route, and keys with the same selector in one namespace share one map of views.
 */
class ResidencyViews {
  /** Views of one route per selector, for this load: keys of several namespaces share a shared route's view. */
  private readonly viewsBySelector = new Map<string, Map<RuntimeRoute, RuntimeRoute>>();

  /** `byNamespaceAndSelector` holds the views of namespaces whose models did not change since the last load. */
  constructor(private readonly byNamespaceAndSelector: Map<string, ReadonlyMap<string, RuntimeRoute>>) {}

  modelsFor(
    namespace: string,
    models: ReadonlyMap<string, RuntimeRoute>,
    matchLabels: Record<string, string>,
  ): ReadonlyMap<string, RuntimeRoute> {
    const selector = JSON.stringify(Object.entries(matchLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const cacheKey = `${namespace}\u0000${selector}`;
    const cached = this.byNamespaceAndSelector.get(cacheKey);
    if (cached !== undefined) return cached;
    let views = this.viewsBySelector.get(selector);
    if (views === undefined) {
      views = new Map();
      this.viewsBySelector.set(selector, views);
    }
    const visible = new Map<string, RuntimeRoute>();
    for (const [name, route] of models) {
      let view = views.get(route);
      if (view === undefined) {
        view = residencyView(route, matchLabels);
        views.set(route, view);
      }
      visible.set(name, view);
    }
    this.byNamespaceAndSelector.set(cacheKey, visible);
    return visible;
  }
}

function residencyView(route: RuntimeRoute, matchLabels: Record<string, string>): RuntimeRoute {
  const matches = (backend: CompiledBackend): boolean =>
    Object.entries(matchLabels).every(([label, value]) => backend.labels?.[label] === value);
  // Decided over every compiled backend, drained ones included: a route whose matching backends
  // are merely drained is out of service (503), not out of bounds (403).
  if (!route.compiled.backends.some(matches)) return runtimeRoute(route.compiled, [], true);
  return runtimeRoute(
    route.compiled,
    [...route.backendsByName.values()].filter((backend) => matches(backend.compiled)),
  );
}

function mcpServersByNamespace(table: RoutingTable): Map<string, readonly CompiledMCPServer[]> {
  const byNamespace = new Map<string, readonly CompiledMCPServer[]>();
  for (const [namespace, ids] of Object.entries(table.mcpServersByNamespace ?? {})) {
    const servers = [...ids].sort().map((id) => {
      const server = table.mcpServers?.[id];
      if (server === undefined) throw new TableLoadError(`namespace ${namespace}: MCP server ${id} is not in the table`);
      return server;
    });
    byNamespace.set(namespace, servers);
  }
  return byNamespace;
}

function groupIntoTiers(backends: RuntimeBackend[]): RuntimeTier[] {
  const byPriority = new Map<number, RuntimeBackend[]>();
  for (const backend of backends) {
    const tier = byPriority.get(backend.compiled.priority);
    if (tier) tier.push(backend);
    else byPriority.set(backend.compiled.priority, [backend]);
  }
  return [...byPriority.entries()]
    .sort(([a], [b]) => a - b)
    .map(([priority, members]) => ({ priority, backends: createWeightedPicker(members, (b) => b.compiled.weight) }));
}

/**
 * One key allow-list (`allowedModels`), compiled once and shared by every key with the same
 * globs: 100,000 keys hold a few distinct lists, not 100,000 RegExps and decision maps. A
 * decision is kept per route object, weakly, so the routes of older tables are not held by it.
 */
interface AllowList {
  readonly pattern: RegExp;
  readonly decisions: WeakMap<RuntimeRoute, boolean>;
}

class RuntimeKeyEntry implements RuntimeKey {
  readonly id: string;

  constructor(
    readonly compiled: CompiledVirtualKey,
    readonly models: ReadonlyMap<string, RuntimeRoute>,
    private readonly allowList: AllowList | undefined,
  ) {
    this.id = compiled.id;
  }

  mayUse(route: RuntimeRoute): boolean {
    const allowList = this.allowList;
    if (allowList === undefined) return true;
    let allowed = allowList.decisions.get(route);
    if (allowed === undefined) {
      allowed = route.names.some((name) => allowList.pattern.test(name));
      allowList.decisions.set(route, allowed);
    }
    return allowed;
  }
}

function createRuntimeKey(
  key: CompiledVirtualKey,
  models: ReadonlyMap<string, RuntimeRoute>,
  allowLists: Map<string, AllowList>,
): RuntimeKey {
  if (key.allowedModels === undefined) return new RuntimeKeyEntry(key, models, undefined);
  // Each source is anchored, so their alternation is too.
  const source = key.allowedModels.map((glob) => globToRegExpSource(glob)).join('|');
  let allowList = allowLists.get(source);
  if (allowList === undefined) {
    allowList = { pattern: new RegExp(source), decisions: new WeakMap() };
    allowLists.set(source, allowList);
  }
  return new RuntimeKeyEntry(key, models, allowList);
}
