// Budget: compiled into `budgets`; it selects the VirtualKeys of its own namespace by label and
// its id goes into each selected key's budgetIds.

import { DiagnosticReasons as R } from '../diagnostics.js';
import { compileBudget } from '../compile/compile-budget.js';
import { condition, plural, reject, type Admitted, type CompileContext } from '../compile/compile-context.js';
import { keyCount, type KeyClass } from '../compile/key-classes.js';
import { KeyLabelIndex } from '../compile/key-label-index.js';
import { CRD_NAMES, type BudgetManifest } from '../generated/resource-shapes.js';
import type { CompiledBudget } from '../table-types.js';
import { defineKind } from './kind-definition.js';

function compileBudgets(objects: readonly Admitted<BudgetManifest>[], context: CompileContext): void {
  // Selection is by namespace and labels, so it runs over classes of keys (key-classes.ts).
  const classesByLabel = new KeyLabelIndex(context.keyClasses().classes);
  for (const { manifest, diagnostic } of objects) {
    let budget: CompiledBudget;
    let selected: KeyClass[];
    try {
      budget = context.memo.once('Budget', manifest, () => compileBudget(manifest));
      selected = classesByLabel.select(budget.namespace, manifest.spec.selector ?? {});
    } catch (error) {
      reject(diagnostic, R.Invalid, (error as Error).message);
      continue;
    }
    for (const keyClass of selected) keyClass.budgetIds.push(budget.id);
    context.budgets.push(budget);
    const count = keyCount(selected);
    diagnostic.conditions.push(
      condition('Accepted', 'True', R.Accepted, `covers ${count} VirtualKey${plural(count)} of namespace ${budget.namespace}`),
    );
  }
}

export const budgetKind = defineKind<BudgetManifest>({
  kind: 'Budget',
  names: CRD_NAMES.Budget,
  tableField: 'budgets',
  selects: ['VirtualKey'],
  rbac: { resource: ['get', 'list', 'watch'], status: ['get', 'update', 'patch'] },
  referencedSecrets: () => [],
  compile: compileBudgets,
  tableObjects: (table) => table.budgets,
});
