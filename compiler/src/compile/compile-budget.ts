import { CRD_DEFAULTS, type BudgetManifest } from '../generated/resource-shapes.js';
import type { CompiledBudget } from '../table-types.js';
import { parseMoneyNanos } from '../values/money.js';

export function compileBudget(manifest: BudgetManifest): CompiledBudget {
  const { metadata, spec } = manifest;
  const namespace = metadata.namespace ?? 'default';
  return {
    id: `${namespace}/${metadata.name}`,
    namespace,
    name: metadata.name,
    generation: metadata.generation ?? 1,
    limitNanos: parseMoneyNanos(spec.limit).toString(),
    period: spec.period ?? CRD_DEFAULTS.budgetPeriod,
    enforcement: spec.enforcement ?? CRD_DEFAULTS.budgetEnforcement,
    reservation: spec.reservation ?? CRD_DEFAULTS.budgetReservation,
  };
}
