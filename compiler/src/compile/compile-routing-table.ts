// Manifests + Secrets -> RoutingTable, the one compiler both programs run. Pure and
// deterministic: the same input gives the same table and hash (only compiledAt reads the clock).
// Problems never throw; each object gets a diagnostic with Accepted / ResolvedRefs / PriceUnknown
// conditions, and objects that cannot be served are left out of the table.

import {
  DiagnosticReasons as R,
  type DiagnosticCondition,
  type ObjectDiagnostic,
} from '../diagnostics.js';
import type {
  BudgetManifest,
  ModelRouteManifest,
  SecretManifest,
  SwitchyardKind,
  SwitchyardManifest,
  VirtualKeyManifest,
} from '../manifest-types.js';
import { BUILTIN_PRICE_CATALOG, type PriceCatalog } from '../pricing/price-catalog.js';
import type { CrdSchemas } from '../schema/load-crd-schemas.js';
import { formatSchemaIssue } from '../schema/schema-issue.js';
import type { CompiledBudget, CompiledRoute, CompiledVirtualKey, RoutingTable } from '../table-types.js';
import type { RefProblem } from './compile-backend.js';
import { compileBudget } from './compile-budget.js';
import { compileRoute, type RouteCompilation } from './compile-route.js';
import { compileVirtualKey } from './compile-virtual-key.js';
import { KeyLabelIndex } from './key-label-index.js';
import { sortByAge } from './object-order.js';
import { buildModelsByNamespace, resolveRouteConflicts, routeNames, RoutesByName } from './resolve-route-conflicts.js';
import { buildSecretIndex } from './secret-index.js';
import { hashAndSerializeTableContent, hashTableContent, routingTableJson } from './table-json.js';

export { hashTableContent };

export interface CompileInput {
  routes: readonly ModelRouteManifest[];
  virtualKeys: readonly VirtualKeyManifest[];
  budgets: readonly BudgetManifest[];
  secrets: readonly SecretManifest[];
  /** Namespaces whose routes every key sees (operator `--shared-namespace`; `default` standalone). */
  sharedNamespaces: readonly string[];
  version: number;
  /** Source of compiledAt; defaults to the wall clock. Not part of the hash. */
  clock?: () => Date;
  /** Prices for backends without `pricing`; defaults to the built-in catalog. */
  priceCatalog?: PriceCatalog;
  /**
   * When given, every object is first validated (and defaulted) against the CRDs; invalid ones get
   * Accepted=False reason Invalid and stay out of the table. Without it, input is trusted to be
   * API-server-validated.
   */
  schemas?: CrdSchemas;
}

export interface CompileResult {
  table: RoutingTable;
  /** One per ModelRoute, VirtualKey and Budget, ordered by kind then namespace/name. */
  diagnostics: ObjectDiagnostic[];
  /**
   * `table` as JSON, made from the serialization the hash was computed over: it parses to the
   * same value as `JSON.stringify(table)` (members in another order) and costs nothing extra, so
   * a publisher can send it instead of serializing the table again. Describes `table` as
   * compiled; it does not follow later changes to the object.
   */
  tableJson: string;
}

const KIND_ORDER: Record<SwitchyardKind, number> = { ModelRoute: 0, VirtualKey: 1, Budget: 2 };

function condition(type: DiagnosticCondition['type'], status: DiagnosticCondition['status'], reason: string, message: string): DiagnosticCondition {
  return { type, status, reason, message };
}

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function resolvedRefsCondition(problems: readonly RefProblem[], okMessage: string): DiagnosticCondition {
  if (problems.length === 0) return condition('ResolvedRefs', 'True', R.ResolvedRefs, okMessage);
  return condition('ResolvedRefs', 'False', (problems[0] as RefProblem).reason, problems.map((p) => p.message).join('; '));
}

interface TrackedDiagnostic {
  diagnostic: ObjectDiagnostic;
  kindOrder: number;
  /** `namespace/name`, the order inside a kind. */
  id: string;
}

interface Admitted<T extends SwitchyardManifest> {
  manifest: T;
  diagnostic: ObjectDiagnostic;
}

export function compileRoutingTable(input: CompileInput): CompileResult {
  const shared = new Set(input.sharedNamespaces);
  const catalog = input.priceCatalog ?? BUILTIN_PRICE_CATALOG;
  const secrets = buildSecretIndex(input.secrets);
  const diagnostics = new Map<string, TrackedDiagnostic>();

  // Objects with the same kind and namespace/name share one diagnostic.
  const diagnosticFor = (object: SwitchyardManifest): ObjectDiagnostic => {
    const namespace = object.metadata.namespace ?? 'default';
    const id = `${namespace}/${object.metadata.name}`;
    const key = `${object.kind}/${id}`;
    let tracked = diagnostics.get(key);
    if (!tracked) {
      tracked = {
        diagnostic: { kind: object.kind, namespace, name: object.metadata.name, generation: object.metadata.generation ?? 1, conditions: [] },
        kindOrder: KIND_ORDER[object.kind],
        id,
      };
      diagnostics.set(key, tracked);
    }
    return tracked.diagnostic;
  };
  const reject = (diagnostic: ObjectDiagnostic, reason: string, message: string): void => {
    diagnostic.conditions.push(condition('Accepted', 'False', reason, message));
  };

  /** Validated (and defaulted) objects of one kind, oldest first; invalid ones are rejected here. */
  const admit = <T extends SwitchyardManifest>(objects: readonly T[]): Admitted<T>[] => {
    const admitted: Admitted<T>[] = [];
    for (const object of sortByAge(objects)) {
      const diagnostic = diagnosticFor(object);
      if (!input.schemas) {
        admitted.push({ manifest: object, diagnostic });
        continue;
      }
      const result = input.schemas.validate(object);
      if (result.ok && result.value) {
        admitted.push({ manifest: result.value as T, diagnostic });
      } else {
        const [first, ...rest] = result.issues;
        const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
        reject(diagnostic, R.Invalid, `${first ? formatSchemaIssue(first) : 'invalid'}${more}`);
      }
    }
    return admitted;
  };

  // Routes: compile each, then settle name conflicts oldest first.
  const routeResults = new Map<string, { manifest: ModelRouteManifest; diagnostic: ObjectDiagnostic; result: RouteCompilation }>();
  const compiledRoutes: CompiledRoute[] = [];
  for (const { manifest, diagnostic } of admit(input.routes)) {
    let result: RouteCompilation;
    try {
      result = compileRoute(manifest, secrets, catalog);
    } catch (error) {
      reject(diagnostic, R.Invalid, (error as Error).message);
      continue;
    }
    diagnostic.conditions.push(resolvedRefsCondition(result.refProblems, 'every referenced Secret was found'));
    if (!result.route) {
      reject(diagnostic, R.NoBackends, result.noBackendsReason ?? 'no backend left');
      continue;
    }
    routeResults.set(result.route.id, { manifest, diagnostic, result });
    compiledRoutes.push(result.route);
  }
  const { accepted: acceptedRoutes, conflicts } = resolveRouteConflicts(compiledRoutes, shared);
  for (const conflict of conflicts) {
    const entry = routeResults.get(conflict.routeId);
    if (entry) reject(entry.diagnostic, R.Conflict, conflict.message);
  }
  const acceptedByName = new RoutesByName(acceptedRoutes);
  for (const route of acceptedRoutes) {
    const { manifest, diagnostic, result } = routeResults.get(route.id) as { manifest: ModelRouteManifest; diagnostic: ObjectDiagnostic; result: RouteCompilation };
    const missingFallbacks = route.fallbackModels.filter((fallback) => !acceptedByName.claimantMeeting(route, fallback, shared, route));
    if (missingFallbacks.length > 0) {
      const message = `fallback model${missingFallbacks.length > 1 ? 's' : ''} ${missingFallbacks.map((m) => `"${m}"`).join(', ')} not served by any accepted route visible to this route's keys`;
      const refs = diagnostic.conditions.find((c) => c.type === 'ResolvedRefs') as DiagnosticCondition;
      if (refs.status === 'True') Object.assign(refs, { status: 'False', reason: R.FallbackNotFound, message });
      else refs.message = `${refs.message}; ${message}`;
    }
    const dropped = manifest.spec.backends.length - route.backends.length;
    diagnostic.conditions.push(
      condition(
        'Accepted',
        'True',
        R.Accepted,
        `serves ${routeNames(route).map((n) => `"${n}"`).join(', ')} with ${route.backends.length} backend${route.backends.length === 1 ? '' : 's'}` +
          (dropped > 0 ? ` (${dropped} dropped for missing credentials)` : ''),
      ),
    );
    diagnostic.conditions.push(
      result.unpricedBackends.length > 0
        ? condition('PriceUnknown', 'True', R.PriceUnknown, `no catalog price and no pricing for backend ${result.unpricedBackends.join(', ')}; keys under a Block budget are refused these backends`)
        : condition('PriceUnknown', 'False', R.PricesKnown, 'every backend has a price'),
    );
  }

  // Keys: resolve Secrets; a key value used twice stays with the older VirtualKey.
  const keys: CompiledVirtualKey[] = [];
  const keyDiagnostics: ObjectDiagnostic[] = [];
  const digestOwner = new Map<string, string>();
  for (const { manifest, diagnostic } of admit(input.virtualKeys)) {
    let compiled;
    try {
      compiled = compileVirtualKey(manifest, secrets);
    } catch (error) {
      reject(diagnostic, R.Invalid, (error as Error).message);
      continue;
    }
    diagnostic.conditions.push(resolvedRefsCondition(compiled.problem ? [compiled.problem] : [], 'the key Secret was found'));
    if (!compiled.key) {
      reject(diagnostic, R.UnresolvedRefs, compiled.problem?.message ?? 'key Secret not resolved');
      continue;
    }
    const owner = digestOwner.get(compiled.key.digest);
    if (owner) {
      reject(diagnostic, R.DuplicateKey, `its key is also the key of the older VirtualKey ${owner}; every key must be unique`);
      continue;
    }
    digestOwner.set(compiled.key.digest, compiled.key.id);
    keys.push(compiled.key);
    keyDiagnostics.push(diagnostic);
  }

  // Budgets select keys of their own namespace by label.
  const budgets: CompiledBudget[] = [];
  const keysByLabel = new KeyLabelIndex(keys);
  for (const { manifest, diagnostic } of admit(input.budgets)) {
    let budget: CompiledBudget;
    let selected: CompiledVirtualKey[];
    try {
      budget = compileBudget(manifest);
      selected = keysByLabel.select(budget.namespace, manifest.spec.selector ?? {});
    } catch (error) {
      reject(diagnostic, R.Invalid, (error as Error).message);
      continue;
    }
    for (const key of selected) key.budgetIds.push(budget.id);
    budgets.push(budget);
    diagnostic.conditions.push(
      condition('Accepted', 'True', R.Accepted, `covers ${selected.length} VirtualKey${selected.length === 1 ? '' : 's'} of namespace ${budget.namespace}`),
    );
  }
  keys.forEach((key, index) => {
    key.budgetIds.sort();
    (keyDiagnostics[index] as ObjectDiagnostic).conditions.push(
      condition('Accepted', 'True', R.Accepted, `key compiled${key.budgetIds.length ? `; charged to budgets ${key.budgetIds.join(', ')}` : ''}`),
    );
  });

  keys.sort(byId);
  budgets.sort(byId);
  const routes: Record<string, CompiledRoute> = {};
  for (const route of [...acceptedRoutes].sort(byId)) routes[route.id] = route;
  const modelsByNamespace = buildModelsByNamespace(acceptedRoutes, keys.map((key) => key.namespace), shared);
  const content = { routes, modelsByNamespace, keys, budgets };
  const { hash, json: contentJson } = hashAndSerializeTableContent(content);
  const table: RoutingTable = {
    version: input.version,
    hash,
    compiledAt: (input.clock ?? (() => new Date()))().toISOString(),
    ...content,
  };

  const ordered = [...diagnostics.values()]
    .sort((a, b) => a.kindOrder - b.kindOrder || (a.id < b.id ? -1 : 1))
    .map((tracked) => tracked.diagnostic);
  return { table, diagnostics: ordered, tableJson: routingTableJson(table, contentJson) };
}
