// `spend`: Budget status as a table. Spend is recorded per Budget (status.spent for the current
// period); no resource status holds spend per key or per route (that lives in the gateways'
// switchyard_cost_usd_total metric), so --by key and --by route are refused with that reason
// rather than approximated.
import { formatNanosAsUsd, nextBudgetPeriodStartMs, parseMoneyNanos } from '@switchyard/compiler';
import type { KubeContext } from './kube-context.js';
import { renderData, renderTable, type CommandOutput } from './output.js';
import { BUDGETS_TYPE, conditionOf, listObjects, type StatusObject } from './plugin-kube.js';
import type { PluginFlags } from './plugin-flags.js';
import { PluginError } from './plugin-error.js';

type BudgetPeriod = 'Daily' | 'Weekly' | 'Monthly' | 'Total';

interface BudgetObject extends StatusObject {
  spec?: { limit?: string; period?: BudgetPeriod; enforcement?: string; [field: string]: unknown };
  status?: StatusObject['status'] & { spent?: string; periodStart?: string };
}

export async function runSpend(ctx: KubeContext, flags: PluginFlags, out: CommandOutput, nowMs = Date.now()): Promise<void> {
  if (flags.by !== 'budget')
    throw new PluginError(
      `--by ${flags.by}: spend is recorded per Budget only (no resource status holds it per ${flags.by}); ` +
        `use --by budget, or the gateways' switchyard_cost_usd_total metric for per-${flags.by} cost`,
      2,
    );
  const namespace = flags.allNamespaces ? undefined : ctx.namespace;
  const budgets = await listObjects<BudgetObject>(ctx, BUDGETS_TYPE, namespace);
  const views = budgets.map((budget) => budgetView(budget, nowMs));
  if (flags.output !== 'table') return out.write(renderData(flags.output, { items: views }));
  if (views.length === 0) return out.error(`No Budgets found ${namespace === undefined ? '' : `in namespace ${namespace}`}`.trimEnd());
  const headers = [
    ...(namespace === undefined ? ['namespace'] : []),
    'budget',
    'period',
    'period start',
    'resets',
    'spent',
    'limit',
    'remaining',
    'used',
    'enforcement',
    'exceeded',
  ];
  const rows = views.map((view) => [
    ...(namespace === undefined ? [view.namespace] : []),
    view.name,
    view.period,
    view.periodStart ?? '-',
    view.resetsAt ?? 'never',
    `$${view.spent}`,
    `$${view.limit}`,
    `$${view.remaining}`,
    view.usedPercent === null ? '-' : `${view.usedPercent}%`,
    view.enforcement,
    view.exceeded,
  ]);
  out.write(renderTable(headers, rows));
}

function budgetView(budget: BudgetObject, nowMs: number) {
  const period = budget.spec?.period ?? 'Total';
  const limitText = budget.spec?.limit ?? '0';
  const spentText = budget.status?.spent ?? '0';
  const limit = safeMoney(limitText);
  const spent = safeMoney(spentText);
  const remaining = limit > spent ? limit - spent : 0n;
  const next = nextBudgetPeriodStartMs(period, nowMs);
  return {
    namespace: budget.metadata.namespace ?? '',
    name: budget.metadata.name,
    period,
    periodStart: budget.status?.periodStart ?? null,
    resetsAt: next === undefined ? null : new Date(next).toISOString().replace('.000Z', 'Z'),
    spent: formatNanosAsUsd(spent),
    limit: formatNanosAsUsd(limit),
    remaining: formatNanosAsUsd(remaining),
    // Whole percent, rounded down: 99.99% spent must not read as 100%.
    usedPercent: limit === 0n ? null : Number((spent * 100n) / limit),
    enforcement: budget.spec?.enforcement ?? 'Block',
    exceeded: conditionOf(budget, 'Exceeded')?.status ?? 'Unknown',
  };
}

function safeMoney(text: string): bigint {
  try {
    return parseMoneyNanos(text);
  } catch {
    return 0n;
  }
}
