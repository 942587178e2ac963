// One ModelRoute -> CompiledRoute, before tenancy: backends resolved and ordered by tier,
// policies in milliseconds. Name conflicts between routes are settled afterwards.

import { CRD_DEFAULTS, type ModelRouteManifest, type RetryableFailure, type RouteRuleSpec } from '../generated/resource-shapes.js';
import type { PriceCatalog } from '../pricing/price-catalog.js';
import type { CompiledBackend, CompiledRoute, CompiledRule, CompiledRuleMatch } from '../table-types.js';
import { parseDurationMs } from '../values/duration.js';
import { compileBackend, type RefProblem } from './compile-backend.js';
import { compileTimeouts } from './compile-timeouts.js';
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

/**
 * A rule as the gateway evaluates it: conditions copied as data, empty lists and maps dropped
 * (an empty condition always holds), so the request path tests plain fields and never reads
 * the manifest. Its backend names may name backends left out for missing Secrets; the gateway
 * skips those as it skips drained ones.
 */
function compileRule(rule: RouteRuleSpec, index: number): CompiledRule {
  const match: CompiledRuleMatch = {};
  const given = rule.match;
  if (given.tags !== undefined && given.tags.length > 0) match.tags = [...new Set(given.tags)];
  if (given.metadata !== undefined && Object.keys(given.metadata).length > 0) match.metadata = { ...given.metadata };
  if (given.minPromptTokens !== undefined) match.minPromptTokens = given.minPromptTokens;
  if (given.maxPromptTokens !== undefined) match.maxPromptTokens = given.maxPromptTokens;
  if (given.hasTools !== undefined) match.hasTools = given.hasTools;
  if (given.hasImages !== undefined) match.hasImages = given.hasImages;
  if (given.jsonSchema !== undefined) match.jsonSchema = given.jsonSchema;
  if (given.frontDoors !== undefined && given.frontDoors.length > 0) match.frontDoors = [...new Set(given.frontDoors)];
  if (given.keyLabels !== undefined && Object.keys(given.keyLabels).length > 0) match.keyLabels = { ...given.keyLabels };
  const name = rule.name ?? `rule-${index}`;
  // A rule that hands the request to another route names no backends of its own.
  if (rule.route !== undefined) return { name, match, backends: [], route: rule.route };
  return { name, match, backends: [...new Set(rule.backends ?? [])] };
}

export function compileRoute(manifest: ModelRouteManifest, secrets: SecretIndex, catalog: PriceCatalog): RouteCompilation {
  const { metadata, spec } = manifest;
  const namespace = metadata.namespace ?? 'default';
  const refProblems: RefProblem[] = [];
  const unpricedBackends: string[] = [];
  const kept: CompiledBackend[] = [];
  const routeTimeouts = compileTimeouts(spec.timeouts ?? {});
  for (const backendSpec of spec.backends) {
    const result = compileBackend(backendSpec, namespace, secrets, catalog);
    refProblems.push(...result.problems);
    if (!result.backend) continue;
    const overrides = backendSpec.timeouts ?? {};
    // Only a backend that overrides something carries timeouts, so other tables hash as before.
    if (Object.keys(overrides).length > 0) result.backend.timeouts = compileTimeouts(overrides, routeTimeouts);
    if (backendSpec.affinityTTL !== undefined) result.backend.affinityTTLMs = parseDurationMs(backendSpec.affinityTTL);
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
    timeouts: routeTimeouts,
    outlierDetection: {
      consecutiveFailures: outlier.consecutiveFailures ?? CRD_DEFAULTS.outlierConsecutiveFailures,
      ejectionTimeMs: parseDurationMs(outlier.ejectionTime ?? CRD_DEFAULTS.outlierEjectionTime),
    },
    fallbackModels: [...(spec.fallbackModels ?? [])],
    defaultMaxTokens: spec.defaultMaxTokens ?? CRD_DEFAULTS.defaultMaxTokens,
  };
  if (spec.cache !== undefined)
    route.cache = { ttlMs: parseDurationMs(spec.cache.ttl), scope: spec.cache.scope ?? CRD_DEFAULTS.cacheScope };
  const strategy = spec.strategy ?? CRD_DEFAULTS.routingStrategy;
  // Absent means weighted, so tables of routes that never set a strategy hash as before.
  if (strategy !== 'weighted') route.strategy = strategy;
  if (spec.rules !== undefined && spec.rules.length > 0) route.rules = spec.rules.map((rule, index) => compileRule(rule, index));
  if (spec.audit?.includeContent === true) route.auditContent = true;
  if (spec.affinity?.enabled ?? CRD_DEFAULTS.affinityEnabled)
    route.affinity = { ttlMs: parseDurationMs(spec.affinity?.ttl ?? CRD_DEFAULTS.affinityTtl) };
  return { route, refProblems, unpricedBackends };
}
