// One ModelRoute -> CompiledRoute, before tenancy: backends resolved and ordered by tier,
// policies in milliseconds. Name conflicts between routes are settled afterwards.

import { CRD_DEFAULTS, type ModelRouteManifest, type RetryableFailure } from '../generated/resource-shapes.js';
import type { PriceCatalog } from '../pricing/price-catalog.js';
import type { CompiledBackend, CompiledRoute } from '../table-types.js';
import { parseDurationMs } from '../values/duration.js';
import { compileBackend, type RefProblem } from './compile-backend.js';
import type { SecretIndex } from './secret-index.js';

export interface RouteCompilation {
  /** Absent when no backend is left. */
  route?: CompiledRoute;
  refProblems: RefProblem[];
  /** `name (provider model)` of each kept backend without a price. */
  unpricedBackends: string[];
  /** Why the route has no backend, when it has none. */
  noBackendsReason?: string;
}

export function compileRoute(manifest: ModelRouteManifest, secrets: SecretIndex, catalog: PriceCatalog): RouteCompilation {
  const { metadata, spec } = manifest;
  const namespace = metadata.namespace ?? 'default';
  const refProblems: RefProblem[] = [];
  const unpricedBackends: string[] = [];
  const kept: CompiledBackend[] = [];
  for (const backendSpec of spec.backends) {
    const result = compileBackend(backendSpec, namespace, secrets, catalog);
    refProblems.push(...result.problems);
    if (!result.backend) continue;
    kept.push(result.backend);
    if (result.priceUnknown) unpricedBackends.push(`${backendSpec.name} (${backendSpec.provider} ${backendSpec.model})`);
  }
  if (kept.length === 0) {
    return {
      refProblems,
      unpricedBackends,
      // Accepted=False is the condition people read first (and the one standalone mode reports),
      // so it names the missing Secrets itself rather than leaving them to ResolvedRefs.
      noBackendsReason: `no backend left: every backend is missing its credentials; ${refProblems.map((p) => p.message).join('; ')}`,
    };
  }
  // Array.prototype.sort is stable: spec order is kept inside a tier.
  const backends = kept.sort((a, b) => a.priority - b.priority);

  const retry = spec.retry ?? {};
  const timeouts = spec.timeouts ?? {};
  const outlier = spec.outlierDetection ?? {};
  const route: CompiledRoute = {
    id: `${namespace}/${metadata.name}`,
    namespace,
    name: metadata.name,
    generation: metadata.generation ?? 1,
    model: spec.model,
    aliases: [...(spec.aliases ?? [])],
    backends,
    retry: {
      attempts: retry.attempts ?? CRD_DEFAULTS.retryAttempts,
      initialBackoffMs: parseDurationMs(retry.backoff?.initial ?? CRD_DEFAULTS.retryBackoffInitial),
      maxBackoffMs: parseDurationMs(retry.backoff?.max ?? CRD_DEFAULTS.retryBackoffMax),
      on: [...new Set<RetryableFailure>(retry.on ?? CRD_DEFAULTS.retryOn)],
    },
    timeouts: {
      connectMs: parseDurationMs(timeouts.connect ?? CRD_DEFAULTS.timeoutConnect),
      firstByteMs: parseDurationMs(timeouts.firstByte ?? CRD_DEFAULTS.timeoutFirstByte),
      totalMs: parseDurationMs(timeouts.total ?? CRD_DEFAULTS.timeoutTotal),
      streamIdleMs: parseDurationMs(timeouts.streamIdle ?? CRD_DEFAULTS.timeoutStreamIdle),
    },
    outlierDetection: {
      consecutiveFailures: outlier.consecutiveFailures ?? CRD_DEFAULTS.outlierConsecutiveFailures,
      ejectionTimeMs: parseDurationMs(outlier.ejectionTime ?? CRD_DEFAULTS.outlierEjectionTime),
    },
    fallbackModels: [...(spec.fallbackModels ?? [])],
    defaultMaxTokens: spec.defaultMaxTokens ?? CRD_DEFAULTS.defaultMaxTokens,
  };
  if (spec.cache !== undefined)
    route.cache = { ttlMs: parseDurationMs(spec.cache.ttl), scope: spec.cache.scope ?? CRD_DEFAULTS.cacheScope };
  return { route, refProblems, unpricedBackends };
}
