// GuardrailPolicy: compiled into `guardrailPolicies`. It selects the VirtualKeys of its own
// namespace by label (their `guardrailPolicyIds`, in namespace/name order, which is the order the
// policies run in) and, with routeSelector, the routes those keys can see by label (`routeIds`).
// Everything a request needs is resolved here, so the gateway pays nothing per request for keys
// without policies and one memoized lookup per (key, route) for the others.

import { DiagnosticReasons as R } from '../diagnostics.js';
import { compileGuardrailPolicy, UnsafePatternError } from '../compile/compile-guardrail-policy.js';
import { condition, plural, reject, type Admitted, type CompileContext } from '../compile/compile-context.js';
import { keyCount, type KeyClass } from '../compile/key-classes.js';
import { KeyLabelIndex } from '../compile/key-label-index.js';
import { compileLabelSelector } from '../compile/label-selector.js';
import { CRD_NAMES, type GuardrailPolicyManifest } from '../generated/resource-shapes.js';
import type { CompiledGuardrailPolicy } from '../table-types.js';
import { defineKind } from './kind-definition.js';

function compileGuardrailPolicies(objects: readonly Admitted<GuardrailPolicyManifest>[], context: CompileContext): void {
  const classesByLabel = new KeyLabelIndex(context.keyClasses().classes);
  const accepted: Array<{ policy: CompiledGuardrailPolicy; classes: KeyClass[] }> = [];
  for (const { manifest, diagnostic } of objects) {
    let policy: CompiledGuardrailPolicy;
    let selected: KeyClass[];
    try {
      // The compiled policy may be the previous compile's: routeIds go on a copy.
      policy = { ...context.memo.once('GuardrailPolicy', manifest, () => compileGuardrailPolicy(manifest)) };
      selected = classesByLabel.select(policy.namespace, manifest.spec.selector ?? {});
      const routeSelector = manifest.spec.routeSelector;
      if (routeSelector !== undefined) {
        const matches = compileLabelSelector(routeSelector);
        const routeIds = context.routes
          .filter((route) => route.namespace === policy.namespace || context.sharedNamespaces.has(route.namespace))
          .filter((route) => matches(context.routeLabels.get(route.id) ?? {}))
          .map((route) => route.id)
          .sort();
        policy.routeIds = context.memo.stable(`routeIds\u0000${policy.id}`, routeIds);
      }
    } catch (error) {
      reject(diagnostic, error instanceof UnsafePatternError ? R.UnsafePattern : R.Invalid, (error as Error).message);
      continue;
    }
    accepted.push({ policy, classes: selected });
    const count = keyCount(selected);
    const routes = policy.routeIds === undefined ? 'every route' : `${policy.routeIds.length} route${plural(policy.routeIds.length)}`;
    diagnostic.conditions.push(
      condition(
        'Accepted',
        'True',
        R.Accepted,
        `${policy.checks.length} check${plural(policy.checks.length)} on ${count} VirtualKey${plural(count)} of namespace ${policy.namespace}, ${routes}`,
      ),
    );
  }
  // Policies run in namespace/name order; each key lists the ones that select it in that order.
  accepted.sort((a, b) => (a.policy.id < b.policy.id ? -1 : a.policy.id > b.policy.id ? 1 : 0));
  for (const { policy, classes } of accepted) {
    for (const keyClass of classes) keyClass.guardrailPolicyIds.push(policy.id);
    context.guardrailPolicies.push(policy);
  }
}

export const guardrailPolicyKind = defineKind<GuardrailPolicyManifest>({
  kind: 'GuardrailPolicy',
  names: CRD_NAMES.GuardrailPolicy,
  tableField: 'guardrailPolicies',
  selects: ['VirtualKey'],
  rbac: { resource: ['get', 'list', 'watch'], status: ['get', 'update', 'patch'] },
  referencedSecrets: () => [],
  compile: compileGuardrailPolicies,
  tableObjects: (table) => Object.values(table.guardrailPolicies ?? {}),
  statusFields(table) {
    const keyCounts = new Map<string, number>();
    for (const key of table.keys) for (const id of key.guardrailPolicyIds ?? []) keyCounts.set(id, (keyCounts.get(id) ?? 0) + 1);
    return new Map(
      Object.values(table.guardrailPolicies ?? {}).map((policy) => [
        policy.id,
        { checkCount: policy.checks.length, keyCount: keyCounts.get(policy.id) ?? 0 },
      ]),
    );
  },
});
