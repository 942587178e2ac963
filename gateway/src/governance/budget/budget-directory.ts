// Budgets by id from the latest routing table. The runtime table keeps keys and routes only;
// governance learns budgets by watching table loads (GovernedTableHolder), and resolves a key's
// `budgetIds` once per table, not per request.
import type { CompiledBudget, RoutingTable } from '@switchyard/compiler';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { RuntimeTable } from '../../table/runtime-table.js';
import { TableHolder } from '../../table/table-holder.js';
import { preloadTokenizer } from '../cost/tokenized-prompt-tokens.js';

export class BudgetDirectory {
  private byId = new Map<string, CompiledBudget>();
  private resolved = new WeakMap<readonly string[], readonly CompiledBudget[]>();

  update(budgets: readonly CompiledBudget[]): void {
    this.byId = new Map(budgets.map((budget) => [budget.id, budget]));
    this.resolved = new WeakMap();
    if (budgets.some((budget) => budget.reservation === 'Tokenized')) preloadTokenizer();
  }

  /** The budgets of a key (its `budgetIds` array); ids no longer in the table are skipped. */
  resolve(ids: readonly string[]): readonly CompiledBudget[] {
    let budgets = this.resolved.get(ids);
    if (budgets === undefined) {
      budgets = ids.map((id) => this.byId.get(id)).filter((budget): budget is CompiledBudget => budget !== undefined);
      this.resolved.set(ids, budgets);
    }
    return budgets;
  }

  all(): Iterable<CompiledBudget> {
    return this.byId.values();
  }
}

/** A TableHolder that also hands each loaded table's budgets to governance. */
export class GovernedTableHolder extends TableHolder {
  constructor(
    registry: ProviderRegistry,
    private readonly budgets: BudgetDirectory,
  ) {
    super(registry);
  }

  override load(source: RoutingTable): RuntimeTable {
    const table = super.load(source);
    this.budgets.update(source.budgets);
    return table;
  }
}
