// Manifests + Secrets -> RoutingTable, the one compiler both programs run. Pure and
// deterministic: the same input gives the same table and hash (only compiledAt reads the clock).
// Problems never throw; each object gets a diagnostic with Accepted / ResolvedRefs / PriceUnknown
// conditions, and objects that cannot be served are left out of the table. Each kind's own step
// comes from the kind registry (kinds/), run in registry order.
//
// Incremental: given the previous compile's state (CompileInput.previous), per-object results and
// table entries are reused where nothing they depend on changed (compile-memo.ts), with the same
// table, hash and diagnostics a compile without it gives.

import { DiagnosticReasons as R, type ObjectDiagnostic } from '../diagnostics.js';
import type { KindObject } from '../kinds/kind-definition.js';
import { BUILTIN_KINDS, type KindRegistry } from '../kinds/kind-registry.js';
import type { ConfigMapManifest, SecretManifest } from '../manifest-types.js';
import type { BudgetManifest, ModelRouteManifest, VirtualKeyManifest } from '../generated/resource-shapes.js';
import { BUILTIN_PRICE_CATALOG, type PriceCatalog } from '../pricing/price-catalog.js';
import type { CrdSchemas } from '../schema/load-crd-schemas.js';
import { formatSchemaIssue } from '../schema/schema-issue.js';
import type { CompiledGuardrailPolicy, CompiledMCPServer, CompiledRoute, CompiledVirtualKey, RoutingTable } from '../table-types.js';
import { reject, type Admitted, type CompileContext } from './compile-context.js';
import { CompileMemo, type CompileState } from './compile-memo.js';
import { KeyClasses } from './key-classes.js';
import { aged, compareAged, type Aged } from './object-order.js';
import { buildModelsByNamespace } from './resolve-route-conflicts.js';
import { buildConfigMapIndex, buildSecretIndex, type DecodedCache } from './secret-index.js';
import { indexTable, tableHashOf, type TableIndex } from '../common/table-delta.js';

export { hashTableContent } from './table-json.js';
export type { CompileState };

export interface CompileInput {
  routes?: readonly ModelRouteManifest[];
  virtualKeys?: readonly VirtualKeyManifest[];
  budgets?: readonly BudgetManifest[];
  /** Objects of any registered kind, in any order (the operator hands in its whole cache). */
  objects?: readonly KindObject[];
  secrets: readonly SecretManifest[];
  /** ConfigMaps that MCPServers read OpenAPI documents from (others may be included; they are ignored). */
  configMaps?: readonly ConfigMapManifest[];
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
  /** Standalone mode: allows what only a local gateway can do (stdio MCP servers). Default false. */
  standalone?: boolean;
  /** The kinds compiled; defaults to the built-in ones. Objects of other kinds are ignored. */
  kinds?: KindRegistry;
  /**
   * The cluster's ServiceAccounts (`namespace/name` -> uid), from the operator's watch: bound
   * ServiceAccount subjects get their uid, and a subject whose ServiceAccount does not exist is
   * left out. Absent (standalone mode): subjects are compiled without a uid.
   */
  serviceAccounts?: ReadonlyMap<string, string>;
  /**
   * The `state` of the previous compile. Objects (and Secrets, ConfigMaps) that are the same
   * objects as then are not compiled again, and unchanged table entries are the previous table's
   * entries (structural sharing). The result is the same as without it.
   */
  previous?: CompileState;
}

export interface CompileResult {
  table: RoutingTable;
  /** One per object of a registered kind, ordered by kind (registry order) then namespace/name. */
  diagnostics: ObjectDiagnostic[];
  /**
   * The table-stream index of `table` (per-entry hashes and their digest; common/table-delta.ts),
   * which the content hash is made from: the same as `indexTable(table)`, handed out so that a
   * publisher does not hash the table again. Describes `table` as compiled.
   */
  index: TableIndex;
  /** What the next compile reuses (CompileInput.previous). Holds this compile's per-object results. */
  state: CompileState;
}

export function compileRoutingTable(input: CompileInput): CompileResult {
  const kinds = input.kinds ?? BUILTIN_KINDS;
  const diagnostics = new DiagnosticBook(kinds);
  const { context, finish } = createCompileContext(input, kinds);
  const objectsByKind = groupByKind(input, kinds);
  for (const definition of kinds.all()) {
    definition.compile(admit(objectsByKind.get(definition.kind) ?? [], diagnostics, input.schemas, context.memo), context);
  }
  finish();
  const { table, index } = assembleTable(context, input);
  return { table, index, diagnostics: diagnostics.ordered(context.memo), state: context.memo.next };
}

function createCompileContext(input: CompileInput, kinds: KindRegistry): { context: CompileContext; finish: () => void } {
  const finalSteps: Array<() => void> = [];
  const catalog = input.priceCatalog ?? BUILTIN_PRICE_CATALOG;
  const standalone = input.standalone ?? false;
  const previousDecoded = CompileMemo.decodedOf(input.previous);
  const secretInput = input.secrets;
  const configMapInput = input.configMaps ?? [];
  let decoded: { secrets: DecodedCache; configMaps: DecodedCache };
  let secrets: ReturnType<typeof buildSecretIndex>;
  let configMaps: ReturnType<typeof buildConfigMapIndex>;
  const previousIndexes = previousDecoded.indexes;
  // The same Secrets and ConfigMaps as last time (the usual case when something else changed):
  // the indexes are the same too, and nothing any object read can have changed.
  const unchanged =
    previousIndexes !== undefined &&
    sameItems(previousIndexes.secretInput, secretInput) &&
    sameItems(previousIndexes.configMapInput, configMapInput);
  if (unchanged) {
    ({ secrets, configMaps } = previousIndexes);
    decoded = { secrets: previousDecoded.secrets as DecodedCache, configMaps: previousDecoded.configMaps as DecodedCache };
  } else {
    decoded = { secrets: new Map(), configMaps: new Map() };
    secrets = buildSecretIndex(secretInput, previousDecoded.secrets, decoded.secrets);
    configMaps = buildConfigMapIndex(configMapInput, previousDecoded.configMaps, decoded.configMaps);
  }
  // What every per-object result may depend on besides its object and the Secrets it read.
  const environment = [catalog, standalone, input.schemas, kinds];
  const memo = new CompileMemo(environment, input.previous, secrets, configMaps, decoded, {
    secretInput: [...secretInput],
    configMapInput: [...configMapInput],
    secrets,
    configMaps,
    unchanged,
  });
  let keyClasses: KeyClasses | undefined;
  const context: CompileContext = {
    secrets,
    configMaps,
    catalog,
    sharedNamespaces: new Set(input.sharedNamespaces),
    routes: [],
    keys: [],
    keyEntries: [],
    budgets: [],
    mcpServers: [],
    routeLabels: new Map(),
    guardrailPolicies: [],
    standalone,
    serviceAccounts: input.serviceAccounts,
    afterAllKinds: (step) => finalSteps.push(step),
    memo,
    keyClasses: () => {
      if (keyClasses === undefined) {
        const signatures = new Map<CompiledVirtualKey, string>();
        memo.remember('labelSignatures', signatures);
        keyClasses = new KeyClasses(
          context.keys,
          memo.recall('labelSignatures') as Map<CompiledVirtualKey, string> | undefined,
          signatures,
        );
      }
      return keyClasses;
    },
  };
  return {
    context,
    finish: () => {
      for (const step of finalSteps) step();
    },
  };
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Every input object of a registered kind, by kind. */
function groupByKind(input: CompileInput, kinds: KindRegistry): Map<string, KindObject[]> {
  const byKind = new Map<string, KindObject[]>();
  const all: readonly KindObject[][] = [
    [...(input.routes ?? [])],
    [...(input.virtualKeys ?? [])],
    [...(input.budgets ?? [])],
    [...(input.objects ?? [])],
  ];
  for (const object of all.flat()) {
    if (!kinds.has(object.kind)) continue;
    let list = byKind.get(object.kind);
    if (!list) byKind.set(object.kind, (list = []));
    list.push(object);
  }
  return byKind;
}

/** Validated (and defaulted) objects of one kind, oldest first; invalid ones are rejected here. */
function admit(
  objects: readonly KindObject[],
  diagnostics: DiagnosticBook,
  schemas: CrdSchemas | undefined,
  memo: CompileMemo,
): Admitted<KindObject>[] {
  const admitted: Admitted<KindObject>[] = [];
  // Oldest first; the order of the previous compile is reused (CompileMemo.sorted).
  const previousAges = memo.recall('ages') as Map<KindObject, Aged<KindObject>> | undefined;
  let ages = memo.current('ages') as Map<KindObject, Aged<KindObject>> | undefined;
  if (ages === undefined) memo.remember('ages', (ages = new Map()));
  const decorated = objects.map((object) => {
    const known = previousAges?.get(object) ?? aged(object);
    ages.set(object, known);
    return known;
  });
  const kind = objects[0]?.kind ?? '';
  for (const entry of memo.sorted(`age ${kind}`, decorated, (entry) => entry.object, compareAged)) {
    const object = entry.object;
    const diagnostic = diagnostics.for(object, entry);
    if (!schemas) {
      admitted.push({ manifest: object, diagnostic });
      continue;
    }
    // The defaulted object is reused while the input object is the same, so what is compiled from it can be too.
    const result = memo.admitted(object, () => schemas.validate(object));
    if (result.ok && result.value) {
      admitted.push({ manifest: result.value, diagnostic });
    } else {
      const [first, ...rest] = result.issues;
      const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
      reject(diagnostic, R.Invalid, `${first ? formatSchemaIssue(first) : 'invalid'}${more}`);
    }
  }
  return admitted;
}

/** One diagnostic per kind and namespace/name: objects that share both share it. */
class DiagnosticBook {
  /**
   * By sort key: one character for the kind's rank (code 0x20 + rank, so a plain string
   * comparison orders by rank first), then `namespace/name`. Plain strings let the order of the
   * previous compile be reused (CompileMemo.sorted compares them by value).
   */
  private readonly entries = new Map<string, ObjectDiagnostic>();
  private readonly rankPrefix = new Map<string, string>();

  constructor(private readonly kinds: KindRegistry) {}

  /**
   * `aged`: the object's age record, kept between compiles while the object and the kinds are the
   * same, which keeps the object's sort key too (one string per object, not one per compile).
   */
  for(object: KindObject, aged?: Aged<KindObject>): ObjectDiagnostic {
    const namespace = object.metadata.namespace ?? 'default';
    let key = aged?.diagnosticKey;
    if (key === undefined) {
      let prefix = this.rankPrefix.get(object.kind);
      if (prefix === undefined) {
        prefix = String.fromCharCode(0x20 + this.kinds.rank(object.kind));
        this.rankPrefix.set(object.kind, prefix);
      }
      key = `${prefix}${namespace}/${object.metadata.name}`;
      if (aged !== undefined) aged.diagnosticKey = key;
    }
    let diagnostic = this.entries.get(key);
    if (!diagnostic) {
      diagnostic = {
        kind: object.kind,
        namespace,
        name: object.metadata.name,
        generation: object.metadata.generation ?? 1,
        conditions: [],
      };
      this.entries.set(key, diagnostic);
    }
    return diagnostic;
  }

  ordered(memo: CompileMemo): ObjectDiagnostic[] {
    const keys = memo.sorted(
      'diagnostics',
      [...this.entries.keys()],
      (key) => key,
      (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    );
    return keys.map((key) => this.entries.get(key) as ObjectDiagnostic);
  }
}

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Key namespace -> ids of the MCPServers its keys may reach: the namespace's own plus the shared
 * namespaces', sorted by id (the order tools are listed in). Per namespace, like the model names.
 */
function buildMCPServersByNamespace(
  servers: readonly CompiledMCPServer[],
  keyNamespaces: readonly string[],
  shared: ReadonlySet<string>,
): Record<string, string[]> {
  const byNamespace: Record<string, string[]> = {};
  for (const namespace of keyNamespaces) {
    byNamespace[namespace] = servers
      .filter((server) => server.namespace === namespace || shared.has(server.namespace))
      .map((server) => server.id)
      .sort();
  }
  return byNamespace;
}

/** Key namespaces, sorted and without repeats. */
function namespacesOf(keys: readonly CompiledVirtualKey[]): string[] {
  const namespaces = new Set<string>();
  for (const key of keys) namespaces.add(key.namespace);
  return [...namespaces].sort();
}

/** Whether two lists of accepted routes give the same models per namespace (same ids, names, order). */
function sameRouteNames(a: readonly CompiledRoute[], b: readonly CompiledRoute[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as CompiledRoute;
    const y = b[i] as CompiledRoute;
    if (x.id !== y.id || x.namespace !== y.namespace || x.model !== y.model) return false;
    if (x.aliases !== y.aliases && (x.aliases.length !== y.aliases.length || x.aliases.some((alias, j) => alias !== y.aliases[j]))) {
      return false;
    }
  }
  return true;
}

/**
 * modelsByNamespace, or the previous compile's when the accepted routes' names, the key
 * namespaces and the shared namespaces are the same: a one-key change costs a comparison, not the
 * name map of every namespace.
 */
function modelsByNamespaceOf(context: CompileContext, keyNamespaces: readonly string[]): RoutingTable['modelsByNamespace'] {
  const inputs = { routes: context.routes, namespaces: keyNamespaces.join('\n'), shared: [...context.sharedNamespaces].sort().join('\n') };
  const previous = context.memo.recall('modelsByNamespace') as
    | { inputs: typeof inputs; value: RoutingTable['modelsByNamespace'] }
    | undefined;
  let value: RoutingTable['modelsByNamespace'];
  if (
    previous !== undefined &&
    previous.inputs.namespaces === inputs.namespaces &&
    previous.inputs.shared === inputs.shared &&
    sameRouteNames(previous.inputs.routes, inputs.routes)
  ) {
    value = previous.value;
  } else {
    value = buildModelsByNamespace(context.routes, keyNamespaces, context.sharedNamespaces);
    for (const namespace of Object.keys(value)) {
      value[namespace] = context.memo.share('modelsByNamespace', namespace, value[namespace] as Record<string, string>);
    }
  }
  // Remembered with a copy of the route list: the next compile compares against it.
  context.memo.remember('modelsByNamespace', { inputs: { ...inputs, routes: [...inputs.routes] }, value });
  for (const [namespace, names] of Object.entries(value)) context.memo.share('modelsByNamespace', namespace, names);
  return value;
}

/** The table from what the kinds compiled: sorted, names resolved per namespace, hashed. */
function assembleTable(context: CompileContext, input: CompileInput): { table: RoutingTable; index: TableIndex } {
  const { memo } = context;
  const keys = memo.sorted('keys', context.keyEntries, (key) => key.id, byId);
  const budgets = memo
    .sorted('budgets', context.budgets, (budget) => budget.id, byId)
    .map((budget) => memo.share('budgets', budget.id, budget));
  const routes: Record<string, CompiledRoute> = {};
  for (const route of memo.sorted('routes', context.routes, (route) => route.id, byId))
    routes[route.id] = memo.share('routes', route.id, route);
  const keyNamespaces = namespacesOf(keys);
  const modelsByNamespace = modelsByNamespaceOf(context, keyNamespaces);
  const mcpServers: Record<string, CompiledMCPServer> = {};
  for (const server of [...context.mcpServers].sort(byId)) mcpServers[server.id] = memo.share('mcpServers', server.id, server);
  const mcpServersByNamespace = buildMCPServersByNamespace(context.mcpServers, keyNamespaces, context.sharedNamespaces);
  for (const namespace of Object.keys(mcpServersByNamespace)) {
    mcpServersByNamespace[namespace] = memo.share('mcpServersByNamespace', namespace, mcpServersByNamespace[namespace] as string[]);
  }
  const content: Pick<
    RoutingTable,
    'routes' | 'modelsByNamespace' | 'keys' | 'budgets' | 'mcpServers' | 'mcpServersByNamespace' | 'guardrailPolicies'
  > = {
    routes,
    modelsByNamespace,
    keys,
    budgets,
    mcpServers,
    mcpServersByNamespace,
  };
  // Only when there are policies: a table without the collection is the same as before policies existed.
  if (context.guardrailPolicies.length > 0) {
    const policies: Record<string, CompiledGuardrailPolicy> = {};
    for (const policy of [...context.guardrailPolicies].sort(byId))
      policies[policy.id] = memo.share('guardrailPolicies', policy.id, policy);
    content.guardrailPolicies = policies;
  }
  // Entries that are the previous table's objects keep their hashes (whatever the environment:
  // the same object has the same content), so this costs the changed entries.
  const previous = input.previous?.table;
  const index = indexTable(content, previous === undefined ? undefined : { table: previous.content, index: previous.index });
  memo.next.table = { content, index };
  const table: RoutingTable = {
    version: input.version,
    hash: tableHashOf(content, index),
    compiledAt: (input.clock ?? (() => new Date()))().toISOString(),
    ...content,
  };
  return { table, index };
}
