// Budget: compiled into `budgets`; it selects the VirtualKeys of its own namespace by label and
// adds its id to each selected key.

import { DiagnosticReasons as R } from '../diagnostics.js';
import { compileBudget } from '../compile/compile-budget.js';
import { condition, plural, reject, type Admitted, type CompileContext } from '../compile/compile-context.js';
import { KeyLabelIndex } from '../compile/key-label-index.js';
import { CRD_NAMES, type BudgetManifest } from '../generated/resource-shapes.js';
import type { CompiledBudget, CompiledVirtualKey } from '../table-types.js';
import { defineKind } from './kind-definition.js';

function compileBudgets(objects: readonly Admitted<BudgetManifest>[], context: CompileContext): void {
  const keysByLabel = new KeyLabelIndex(context.keys);
  for (const { manifest, diagnostic } of objects) {
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
    context.budgets.push(budget);
    diagnostic.conditions.push(
      condition(
        'Accepted',
        'True',
        R.Accepted,
        `covers ${selected.length} VirtualKey${plural(selected.length)} of namespace ${budget.namespace}`,
      ),
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
