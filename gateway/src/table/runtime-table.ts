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

export function materializeTable(table: RoutingTable, options: MaterializeOptions): RuntimeTable {
  // Everything that can fail is checked before health states are committed, so a rejected
  // table leaves the serving table's states untouched.
  const adapters = new Map<CompiledBackend, ProviderAdapter>();
  const healthEntries: Array<{ routeId: string; backendName: string }> = [];
  for (const route of Object.values(table.routes)) {
    if (route.backends.length === 0) throw new TableLoadError(`route ${route.id} has no backends`);
    for (const backend of route.backends) {
      const adapter = options.registry[backend.provider];
      if (adapter === undefined) {
        throw new TableLoadError(
          `route ${route.id} backend "${backend.name}": provider "${backend.provider}" has no adapter in this gateway build`,
        );
      }
      adapters.set(backend, adapter);
      healthEntries.push({ routeId: route.id, backendName: backend.name });
    }
  }
  const healthByKey = options.health.retain(healthEntries);

  const routes = new Map<string, RuntimeRoute>();
  for (const route of Object.values(table.routes)) {
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
    routes.set(route.id, runtimeRoute(route, backends));
  }

  const modelsByNamespace = new Map<string, ReadonlyMap<string, RuntimeRoute>>();
  for (const [namespace, names] of Object.entries(table.modelsByNamespace)) {
    const models = new Map<string, RuntimeRoute>();
    for (const [name, routeId] of Object.entries(names)) {
      const route = routes.get(routeId);
      if (route === undefined) throw new TableLoadError(`namespace ${namespace}: model "${name}" points at unknown route ${routeId}`);
      models.set(name, route);
    }
    modelsByNamespace.set(namespace, models);
  }

  const noModels: ReadonlyMap<string, RuntimeRoute> = new Map();
  const keysByDigest = new Map<string, RuntimeKey>();
  const views = new ResidencyViews();
  const keysWithSubjects: RuntimeKey[] = [];
  for (const key of table.keys) {
    const models = modelsByNamespace.get(key.namespace) ?? noModels;
    const visible = key.backendSelector === undefined ? models : views.modelsFor(key.namespace, models, key.backendSelector.matchLabels);
    const runtime = createRuntimeKey(key, visible);
    if (key.digest !== undefined) keysByDigest.set(key.digest.toLowerCase(), runtime);
    if (key.subjects !== undefined) keysWithSubjects.push(runtime);
  }

  const compiledAtMs = Date.parse(table.compiledAt);
  return {
    mcpServersByNamespace: mcpServersByNamespace(table),
    version: table.version,
    hash: table.hash,
    compiledAtSeconds: Number.isNaN(compiledAtMs) ? Math.floor(Date.now() / 1000) : Math.floor(compiledAtMs / 1000),
    keysByDigest,
    keysWithSubjects,
    routes,
    guardrailPolicies: new Map(Object.entries(table.guardrailPolicies ?? {})),
  };
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
  private readonly byNamespaceAndSelector = new Map<string, ReadonlyMap<string, RuntimeRoute>>();
  private readonly viewsBySelector = new Map<string, Map<RuntimeRoute, RuntimeRoute>>();

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

function createRuntimeKey(key: CompiledVirtualKey, models: ReadonlyMap<string, RuntimeRoute>): RuntimeKey {
  // Each source is anchored, so their alternation is too.
  const allowList =
    key.allowedModels === undefined ? undefined : new RegExp(key.allowedModels.map((glob) => globToRegExpSource(glob)).join('|'));
  if (allowList === undefined) return { id: key.id, compiled: key, models, mayUse: () => true };
  // Decided once per route for the lifetime of this table.
  const decisions = new Map<RuntimeRoute, boolean>();
  return {
    id: key.id,
    compiled: key,
    models,
    mayUse(route) {
      let allowed = decisions.get(route);
      if (allowed === undefined) {
        allowed = route.names.some((name) => allowList.test(name));
        decisions.set(route, allowed);
      }
      return allowed;
    },
  };
}
