// What every kind's compile step shares: the inputs (Secrets, prices, shared namespaces), the
// table as the kinds compiled before it left it, and the helpers that write conditions.

import type { DiagnosticCondition, ObjectDiagnostic } from '../diagnostics.js';
import type { PriceCatalog } from '../pricing/price-catalog.js';
import type { CompiledBudget, CompiledGuardrailPolicy, CompiledMCPServer, CompiledRoute, CompiledVirtualKey } from '../table-types.js';
import type { RefProblem } from './compile-backend.js';
import type { CompileMemo } from './compile-memo.js';
import type { KeyClasses } from './key-classes.js';
import type { ConfigMapIndex, SecretIndex } from './secret-index.js';

/** An object that passed validation, with the diagnostic its conditions go to. */
export interface Admitted<M> {
  manifest: M;
  diagnostic: ObjectDiagnostic;
}

export interface CompileContext {
  readonly secrets: SecretIndex;
  /** ConfigMaps (MCPServer OpenAPI documents). */
  readonly configMaps: ConfigMapIndex;
  readonly catalog: PriceCatalog;
  /** Namespaces whose routes every key sees. */
  readonly sharedNamespaces: ReadonlySet<string>;
  /** Accepted routes, conflicts settled (filled by the ModelRoute step). */
  readonly routes: CompiledRoute[];
  /**
   * Accepted keys as compiled from their manifests (filled by the VirtualKey step). They may be
   * reused from the previous compile, so they are never changed: Budgets and GuardrailPolicies
   * record what they select on keyClasses(), and the table's key entries are made from both.
   */
  readonly keys: CompiledVirtualKey[];
  /** The table's key entries: `keys` with the budgets and policies selecting them (filled once every kind compiled). */
  readonly keyEntries: CompiledVirtualKey[];
  readonly budgets: CompiledBudget[];
  /** Accepted MCPServers, prefix conflicts settled (filled by the MCPServer step). */
  readonly mcpServers: CompiledMCPServer[];
  /** Labels of the accepted routes by route id (filled by the ModelRoute step; GuardrailPolicies select routes by them). */
  readonly routeLabels: Map<string, Readonly<Record<string, string>>>;
  /** Accepted GuardrailPolicies (filled by the GuardrailPolicy step). */
  readonly guardrailPolicies: CompiledGuardrailPolicy[];
  /** Compiling standalone manifests (where stdio MCP servers are allowed), not a cluster's objects. */
  readonly standalone: boolean;
  /** ServiceAccount uids by `namespace/name` (cluster mode only; see CompileInput.serviceAccounts). */
  readonly serviceAccounts: ReadonlyMap<string, string> | undefined;
  /** Runs `step` once every kind has compiled, in the order the steps were added. */
  afterAllKinds(step: () => void): void;
  /** Reuse of the previous compile's per-object results (compile-memo.ts). */
  readonly memo: CompileMemo;
  /** The accepted keys grouped by namespace and labels (built once, after the VirtualKey step). */
  keyClasses(): KeyClasses;
}

export function condition(
  type: DiagnosticCondition['type'],
  status: DiagnosticCondition['status'],
  reason: string,
  message: string,
): DiagnosticCondition {
  return { type, status, reason, message };
}

export function reject(diagnostic: ObjectDiagnostic, reason: string, message: string): void {
  diagnostic.conditions.push(condition('Accepted', 'False', reason, message));
}

export function resolvedRefsCondition(problems: readonly RefProblem[], okMessage: string, resolvedReason: string): DiagnosticCondition {
  if (problems.length === 0) return condition('ResolvedRefs', 'True', resolvedReason, okMessage);
  return condition('ResolvedRefs', 'False', (problems[0] as RefProblem).reason, problems.map((p) => p.message).join('; '));
}

/** `s` when a count needs a plural. */
export function plural(count: number): string {
  return count === 1 ? '' : 's';
}
