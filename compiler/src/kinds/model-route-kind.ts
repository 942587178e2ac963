// ModelRoute: compiled into `routes`; name conflicts are settled oldest first, then fallbacks are
// checked against the routes that won.

import { DiagnosticReasons as R, type DiagnosticCondition, type ObjectDiagnostic } from '../diagnostics.js';
import { condition, plural, reject, resolvedRefsCondition, type Admitted, type CompileContext } from '../compile/compile-context.js';
import { compileRoute, type RouteCompilation } from '../compile/compile-route.js';
import { resolveSemanticCache } from '../compile/resolve-semantic-cache.js';
import { resolveRouteConflicts, routeNames, RoutesByName } from '../compile/resolve-route-conflicts.js';
import { CRD_DEFAULTS, CRD_NAMES, type ModelRouteManifest, type RouteMCPSpec } from '../generated/resource-shapes.js';
import type { CompiledRoute } from '../table-types.js';
import { defineKind } from './kind-definition.js';

interface CompiledEntry {
  manifest: ModelRouteManifest;
  diagnostic: ObjectDiagnostic;
  result: RouteCompilation & { route: CompiledRoute };
}

function compileModelRoutes(objects: readonly Admitted<ModelRouteManifest>[], context: CompileContext): void {
  const entries = compileEach(objects, context);
  const { accepted, conflicts } = resolveRouteConflicts(
    [...entries.values()].map((entry) => entry.result.route),
    context.sharedNamespaces,
  );
  for (const conflict of conflicts) {
    const entry = entries.get(conflict.routeId);
    if (entry) reject(entry.diagnostic, R.Conflict, conflict.message);
  }
  const acceptedByName = new RoutesByName(accepted);
  const acceptedIds = new Set(accepted.map((route) => route.id));
  const first = context.routes.length;
  for (const route of accepted) {
    const entry = entries.get(route.id) as CompiledEntry;
    checkFallbacks(route, entry.diagnostic, acceptedByName, context.sharedNamespaces);
    // A compiled route may be the previous compile's (compile-memo.ts): what is resolved against
    // other objects goes on a copy.
    context.routes.push(resolveSemanticCache(route, entry.manifest, entry.diagnostic, acceptedIds, context.sharedNamespaces));
    acceptRoute(route, entry);
  }
  for (const route of accepted) context.routeLabels.set(route.id, (entries.get(route.id) as CompiledEntry).manifest.metadata.labels ?? {});
  // MCPServers compile after routes; their names are resolved once every kind has compiled.
  context.afterAllKinds(() => {
    for (let i = first; i < context.routes.length; i++) {
      const route = context.routes[i] as CompiledRoute;
      const entry = entries.get(route.id) as CompiledEntry;
      if (entry.manifest.spec.mcp) context.routes[i] = resolveRouteMCP(route, entry, context);
    }
  });
}

/**
 * `spec.mcp.servers` names -> MCPServer ids: the route's own namespace first, then the shared
 * namespaces (in name order), as a key's model names are looked up. An unknown or refused server
 * is an unresolved reference; the route keeps the servers that resolved.
 */
function resolveRouteMCP(route: CompiledRoute, { manifest, diagnostic }: CompiledEntry, context: CompileContext): CompiledRoute {
  const spec = manifest.spec.mcp as RouteMCPSpec;
  const byId = new Map(context.mcpServers.map((server) => [server.id, server]));
  const shared = [...context.sharedNamespaces].sort();
  const servers: string[] = [];
  const missing: string[] = [];
  for (const name of spec.servers) {
    const id = [route.namespace, ...shared].map((namespace) => `${namespace}/${name}`).find((candidate) => byId.has(candidate));
    if (id === undefined) missing.push(name);
    else if (!servers.includes(id)) servers.push(id);
  }
  const resolved = servers.length > 0 ? { ...route, mcp: { servers, maxRounds: spec.maxRounds ?? CRD_DEFAULTS.routeMcpMaxRounds } } : route;
  if (missing.length === 0) return resolved;
  const message = `spec.mcp: MCPServer${plural(missing.length)} ${missing.map((m) => `"${m}"`).join(', ')} not found among the accepted MCPServers of namespace ${route.namespace} and the shared namespaces`;
  const refs = diagnostic.conditions.find((c) => c.type === 'ResolvedRefs') as DiagnosticCondition;
  if (refs.status === 'True') Object.assign(refs, { status: 'False', reason: R.MCPServerNotFound, message });
  else refs.message = `${refs.message}; ${message}`;
  return resolved;
}

/** Compiles every route on its own; those with no backend left are rejected here. */
function compileEach(objects: readonly Admitted<ModelRouteManifest>[], context: CompileContext): Map<string, CompiledEntry> {
  const entries = new Map<string, CompiledEntry>();
  for (const { manifest, diagnostic } of objects) {
    let result: RouteCompilation;
    try {
      result = context.memo.once('ModelRoute', manifest, (secrets) => compileRoute(manifest, secrets, context.catalog));
    } catch (error) {
      reject(diagnostic, R.Invalid, (error as Error).message);
      continue;
    }
    diagnostic.conditions.push(resolvedRefsCondition(result.refProblems, 'every referenced Secret was found', R.ResolvedRefs));
    if (!result.route) {
      reject(diagnostic, R.NoBackends, result.noBackendsReason ?? 'no backend left');
      continue;
    }
    entries.set(result.route.id, { manifest, diagnostic, result: result as CompiledEntry['result'] });
  }
  return entries;
}

/** A fallback model no accepted route visible to the route's keys serves is an unresolved reference. */
function checkFallbacks(
  route: CompiledRoute,
  diagnostic: ObjectDiagnostic,
  acceptedByName: RoutesByName,
  shared: ReadonlySet<string>,
): void {
  const missing = route.fallbackModels.filter((fallback) => !acceptedByName.claimantMeeting(route, fallback, shared, route));
  if (missing.length === 0) return;
  const message = `fallback model${plural(missing.length)} ${missing.map((m) => `"${m}"`).join(', ')} not served by any accepted route visible to this route's keys`;
  const refs = diagnostic.conditions.find((c) => c.type === 'ResolvedRefs') as DiagnosticCondition;
  if (refs.status === 'True') Object.assign(refs, { status: 'False', reason: R.FallbackNotFound, message });
  else refs.message = `${refs.message}; ${message}`;
}

function acceptRoute(route: CompiledRoute, { manifest, diagnostic, result }: CompiledEntry): void {
  const dropped = manifest.spec.backends.length - route.backends.length;
  diagnostic.conditions.push(
    condition(
      'Accepted',
      'True',
      R.Accepted,
      `serves ${routeNames(route)
        .map((n) => `"${n}"`)
        .join(', ')} with ${route.backends.length} backend${plural(route.backends.length)}` +
        (dropped > 0 ? ` (${dropped} dropped for missing credentials)` : ''),
    ),
  );
  diagnostic.conditions.push(
    result.unpricedBackends.length > 0
      ? condition(
          'PriceUnknown',
          'True',
          R.PriceUnknown,
          `no catalog price and no pricing for backend ${result.unpricedBackends.join(', ')}; keys under a Block budget are refused these backends`,
        )
      : condition('PriceUnknown', 'False', R.PricesKnown, 'every backend has a price'),
  );
}

export const modelRouteKind = defineKind<ModelRouteManifest>({
  kind: 'ModelRoute',
  names: CRD_NAMES.ModelRoute,
  tableField: 'routes',
  selects: [],
  rbac: { resource: ['get', 'list', 'watch'], status: ['get', 'update', 'patch'] },
  referencedSecrets(route) {
    const namespace = route.metadata.namespace ?? '';
    const ids = new Set<string>();
    for (const backend of route.spec?.backends ?? []) {
      for (const credential of backend.credentials ?? []) {
        if (credential?.secretRef?.name) ids.add(`${namespace}/${credential.secretRef.name}`);
      }
    }
    return [...ids];
  },
  compile: compileModelRoutes,
  tableObjects: (table) => Object.values(table.routes),
});
