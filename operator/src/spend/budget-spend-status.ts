// The spend part of Budget.status, and how a set of usage charges changes it. Pure: the spend
// writer reads the Budget, calls applyCharges, and writes the result with the read
// resourceVersion as precondition, so a retried batch or a stale leader changes nothing twice.
import { budgetPeriodStartMs, formatNanosAsUsd, parseMoneyNanos, type CompiledBudget } from '@switchyard/compiler';
import { readConditions, type Condition } from '../reconcile/conditions.js';

interface AppliedBatch {
  bootId: string;
  seq: number;
  appliedAt?: string;
}

interface BudgetSpendStatus {
  spentNanos: bigint;
  /** Undefined when the operator never wrote spend for this Budget. */
  periodStartMs: number | undefined;
  lastAppliedBatches: AppliedBatch[];
  conditions: Condition[];
}

/** One gateway batch's spend on one budget period. */
export interface BudgetCharge {
  bootId: string;
  seq: number;
  periodStart: string;
  costNanos: bigint;
}

/** A boot not heard from for this long is forgotten (its gateway resends unacknowledged batches every second). */
export const APPLIED_BATCH_RETENTION_MS = 24 * 3_600_000;
const MAX_APPLIED_BATCHES = 1000;

export function readBudgetSpendStatus(status: unknown): BudgetSpendStatus {
  const s = (status && typeof status === 'object' ? status : {}) as Record<string, unknown>;
  let spentNanos = 0n;
  if (typeof s.spent === 'string') {
    try {
      spentNanos = parseMoneyNanos(s.spent);
    } catch {
      spentNanos = 0n;
    }
  }
  const parsedStart = typeof s.periodStart === 'string' ? Date.parse(s.periodStart) : Number.NaN;
  const lastAppliedBatches: AppliedBatch[] = [];
  if (Array.isArray(s.lastAppliedBatches)) {
    for (const item of s.lastAppliedBatches as unknown[]) {
      if (!item || typeof item !== 'object') continue;
      const b = item as Record<string, unknown>;
      if (typeof b.bootId !== 'string' || typeof b.seq !== 'number') continue;
      lastAppliedBatches.push({ bootId: b.bootId, seq: b.seq, ...(typeof b.appliedAt === 'string' ? { appliedAt: b.appliedAt } : {}) });
    }
  }
  return {
    spentNanos,
    periodStartMs: Number.isNaN(parsedStart) ? undefined : parsedStart,
    lastAppliedBatches,
    conditions: readConditions(status),
  };
}

interface ApplyChargesResult {
  next: BudgetSpendStatus;
  changed: boolean;
}

/**
 * Adds every charge whose (bootId, seq) is newer than the Budget's last applied batch of that
 * boot, rolls the period over at its 00:00 UTC boundary, and sets Exceeded. Spend of a period
 * that is already over is dropped (its batch still counts as applied).
 */
export function applyCharges(
  current: BudgetSpendStatus,
  budget: CompiledBudget,
  charges: readonly BudgetCharge[],
  nowMs: number,
  generation?: number,
): ApplyChargesResult {
  const nowStart = budgetPeriodStartMs(budget.period, nowMs);
  let periodStart = current.periodStartMs;
  let spent = current.spentNanos;
  if (periodStart === undefined || periodStart < nowStart) {
    periodStart = nowStart;
    spent = 0n;
  }
  const applied = new Map(current.lastAppliedBatches.map((b) => [b.bootId, b]));
  const newest = new Map<string, number>();
  const ordered = [...charges].sort((a, b) => (a.bootId === b.bootId ? a.seq - b.seq : a.bootId < b.bootId ? -1 : 1));
  for (const charge of ordered) {
    if (charge.seq <= (applied.get(charge.bootId)?.seq ?? 0)) continue;
    newest.set(charge.bootId, Math.max(newest.get(charge.bootId) ?? 0, charge.seq));
    const chargeStart = Date.parse(charge.periodStart);
    // A gateway whose clock passed midnight first starts the new period.
    if (chargeStart > periodStart) {
      periodStart = chargeStart;
      spent = 0n;
    }
    if (chargeStart === periodStart) spent += charge.costNanos;
  }
  const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const [bootId, seq] of newest) applied.set(bootId, { bootId, seq, appliedAt: now });
  const lastAppliedBatches = pruneAppliedBatches([...applied.values()], nowMs);
  const conditions = withExceeded(current.conditions, exceededCondition(budget, spent, generation), now);
  const next: BudgetSpendStatus = { spentNanos: spent, periodStartMs: periodStart, lastAppliedBatches, conditions };
  const changed =
    spent !== current.spentNanos ||
    periodStart !== current.periodStartMs ||
    JSON.stringify(lastAppliedBatches) !== JSON.stringify(current.lastAppliedBatches) ||
    JSON.stringify(conditions) !== JSON.stringify(current.conditions);
  return { next, changed };
}

/** The status fields the spend writer owns, as written to the API server. */
export function spendStatusFields(status: BudgetSpendStatus): Record<string, unknown> {
  return {
    spent: formatNanosAsUsd(status.spentNanos),
    periodStart: new Date(status.periodStartMs ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    lastAppliedBatches: status.lastAppliedBatches,
    conditions: status.conditions,
  };
}

function pruneAppliedBatches(batches: AppliedBatch[], nowMs: number): AppliedBatch[] {
  const kept = batches.filter((b) => b.appliedAt === undefined || Date.parse(b.appliedAt) >= nowMs - APPLIED_BATCH_RETENTION_MS);
  if (kept.length <= MAX_APPLIED_BATCHES) return kept;
  return kept.sort((a, b) => Date.parse(b.appliedAt ?? '') - Date.parse(a.appliedAt ?? '')).slice(0, MAX_APPLIED_BATCHES);
}

interface DesiredExceeded {
  status: 'True' | 'False';
  reason: string;
  message: string;
  observedGeneration?: number;
}

function exceededCondition(budget: CompiledBudget, spent: bigint, generation: number | undefined): DesiredExceeded {
  const limit = BigInt(budget.limitNanos);
  const figures = `spent $${formatNanosAsUsd(spent)} of $${formatNanosAsUsd(limit)} this ${budget.period === 'Total' ? 'budget' : 'period'}`;
  const exceeded = spent >= limit;
  const consequence =
    budget.enforcement === 'Block'
      ? 'requests of the covered keys are refused (429 budget_exceeded)'
      : 'requests continue with a warning header (enforcement Warn)';
  return {
    status: exceeded ? 'True' : 'False',
    reason: exceeded ? 'LimitReached' : 'WithinLimit',
    message: exceeded ? `${figures}; ${consequence}` : figures,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

/** Replaces the Exceeded condition, keeping every other condition (the controller owns those). */
function withExceeded(existing: readonly Condition[], desired: DesiredExceeded, now: string): Condition[] {
  const have = existing.find((c) => c.type === 'Exceeded');
  const lastTransitionTime = have && have.status === desired.status && have.lastTransitionTime !== '' ? have.lastTransitionTime : now;
  const next: Condition = { type: 'Exceeded', ...desired, lastTransitionTime };
  if (
    have &&
    have.status === next.status &&
    have.reason === next.reason &&
    have.message === next.message &&
    have.observedGeneration === next.observedGeneration
  ) {
    return [...existing];
  }
  return [...existing.filter((c) => c.type !== 'Exceeded'), next];
}
