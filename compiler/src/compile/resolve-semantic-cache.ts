// `spec.cache.semantic.embeddingModel` names a ModelRoute (metadata.name), looked up among the
// accepted routes of the route's own namespace first, then of the shared namespaces in name
// order, as MCPServer names are. A name that resolves to nothing leaves the exact cache on and
// the semantic lookup off, and sets ResolvedRefs=False so `kubectl get` shows why.
import { DiagnosticReasons as R, type DiagnosticCondition, type ObjectDiagnostic } from '../diagnostics.js';
import { CRD_DEFAULTS, type ModelRouteManifest } from '../generated/resource-shapes.js';
import type { CompiledRoute } from '../table-types.js';

/** The route to serve: `route` itself, or a copy with its semantic cache resolved. */
export function resolveSemanticCache(
  route: CompiledRoute,
  manifest: ModelRouteManifest,
  diagnostic: ObjectDiagnostic,
  ids: ReadonlySet<string>,
  sharedNamespaces: ReadonlySet<string>,
): CompiledRoute {
  const spec = manifest.spec.cache?.semantic;
  if (spec === undefined || route.cache === undefined) return route;
  const namespaces = [route.namespace, ...[...sharedNamespaces].filter((namespace) => namespace !== route.namespace).sort()];
  const embeddingRouteId = namespaces.map((namespace) => `${namespace}/${spec.embeddingModel}`).find((id) => ids.has(id));
  if (embeddingRouteId === undefined) {
    const message = `spec.cache.semantic.embeddingModel: ModelRoute "${spec.embeddingModel}" not found among the accepted ModelRoutes of namespace ${route.namespace} and the shared namespaces; the semantic cache is off, the exact cache stays on`;
    const refs = diagnostic.conditions.find((c) => c.type === 'ResolvedRefs') as DiagnosticCondition;
    if (refs.status === 'True') Object.assign(refs, { status: 'False', reason: R.EmbeddingModelNotFound, message });
    else refs.message = `${refs.message}; ${message}`;
    return route;
  }
  const semantic = {
    embeddingRouteId,
    threshold: spec.threshold ?? CRD_DEFAULTS.semanticThreshold,
    maxEntriesPerPartition: spec.maxEntriesPerPartition ?? CRD_DEFAULTS.semanticMaxEntriesPerPartition,
    maxTemperature: spec.maxTemperature ?? CRD_DEFAULTS.semanticMaxTemperature,
    maxTurnChars: spec.maxTurnChars ?? CRD_DEFAULTS.semanticMaxTurnChars,
  };
  return { ...route, cache: { ...route.cache, semantic } };
}
