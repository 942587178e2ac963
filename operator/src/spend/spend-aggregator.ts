// The spend path of every operator replica (docs/architecture.md, the spend protocol). Gateways POST
// usage batches to whichever replica their connection reaches; the replica queues the charges
// per budget and, at most every flushIntervalMs, writes each touched Budget's status once: read,
// apply the charges not yet applied for each gateway boot (status.lastAppliedBatches), write with
// the read resourceVersion as precondition, and on 409 read again. That makes a write idempotent
// and safe from any replica at once, so leaders and followers run the same code and no report
// is refused. After a flush the replica publishes a spend snapshot to its own gateways: every
// budget's spent (from what it wrote and from the Budget statuses its watch sees, so its gateways
// also learn what other replicas wrote) and, per boot, the last batch it wrote for that boot.
import { budgetPeriodStartMs, type CompiledBudget } from '@switchyard/compiler';
import { KubeApiError, type KubeClient } from '../kube/kube-client.js';
import { BUDGETS, resourcePath, type KubeObject } from '../kube/resources.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';
import {
  APPLIED_BATCH_RETENTION_MS,
  applyCharges,
  readBudgetSpendStatus,
  spendStatusFields,
  type BudgetCharge,
} from './budget-spend-status.js';
import type { SpendSnapshot, UsageReport } from './usage-report-message.js';

export interface SpendAggregatorOptions {
  client: Pick<KubeClient, 'get' | 'patch'>;
  /** The budgets of the latest routing table. */
  budgets(): readonly CompiledBudget[];
  onSnapshot?(snapshot: SpendSnapshot): void;
  logger?: Logger;
  /** How often Budget status may be written; default 2 s. */
  flushIntervalMs?: number;
  nowMs?: () => number;
  maxConflictRetries?: number;
}

interface BudgetTotal {
  periodStartMs: number;
  spentNanos: bigint;
}

interface KnownBudget {
  periodStartMs: number;
  spentNanos: bigint;
  limitNanos: string;
  enforcement: string;
  generation: number;
}

type BudgetObject = KubeObject & { status?: unknown };

export class SpendAggregator {
  private pending = new Map<string, BudgetCharge[]>();
  /** Highest seq accepted per boot during this leadership. */
  private readonly received = new Map<string, number>();
  private readonly acknowledged = new Map<string, { seq: number; atMs: number }>();
  /** What this replica last wrote or confirmed per budget; a difference from the table makes it due. */
  private readonly known = new Map<string, KnownBudget>();
  /** The newest spend per budget, from this replica's writes and every replica's (the Budget watch). */
  private readonly totals = new Map<string, BudgetTotal>();
  private totalsChanged = false;
  private latest: SpendSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly logger: Logger;
  private readonly nowMs: () => number;

  constructor(private readonly options: SpendAggregatorOptions) {
    this.logger = options.logger ?? silentLogger;
    this.nowMs = options.nowMs ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 2000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
  }

  /** Queues the charges of reports this replica has not seen yet. */
  accept(reports: readonly UsageReport[]): void {
    const ordered = [...reports].sort((a, b) => a.seq - b.seq);
    for (const report of ordered) {
      if (report.seq <= (this.received.get(report.bootId) ?? 0)) continue;
      this.received.set(report.bootId, report.seq);
      for (const entry of report.entries) {
        const charge: BudgetCharge = {
          bootId: report.bootId,
          seq: report.seq,
          periodStart: entry.periodStart,
          costNanos: BigInt(entry.costNanos),
        };
        const list = this.pending.get(entry.budgetId);
        if (list) list.push(charge);
        else this.pending.set(entry.budgetId, [charge]);
      }
    }
  }

  /** The snapshot of the last flush; undefined until the first one. */
  snapshot(): SpendSnapshot | undefined {
    return this.latest;
  }

  /**
   * A Budget as the watch saw it (any replica may have written it). Its spend reaches this
   * replica's gateways with the next flush's snapshot. Spend only grows within a period, so an
   * event older than what this replica wrote itself changes nothing.
   */
  observeBudget(object: BudgetObject): void {
    const status = readBudgetSpendStatus(object.status);
    if (status.periodStartMs === undefined) return;
    const id = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (this.mergeTotal(id, { periodStartMs: status.periodStartMs, spentNanos: status.spentNanos })) this.totalsChanged = true;
  }

  /** One pass: writes every Budget with queued charges, a new period, or not yet read. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const nowMs = this.nowMs();
    const taken = this.pending;
    this.pending = new Map();
    const budgets = new Map(this.options.budgets().map((b) => [b.id, b]));
    let wrote = false;
    for (const [budgetId, charges] of taken) {
      if (!budgets.has(budgetId))
        this.logger.debug('usage for a budget not in the routing table dropped', { budget: budgetId, batches: charges.length });
    }
    for (const budget of budgets.values()) {
      const charges = taken.get(budget.id) ?? [];
      const known = this.known.get(budget.id);
      const due =
        charges.length > 0 ||
        known === undefined ||
        known.periodStartMs < budgetPeriodStartMs(budget.period, nowMs) ||
        known.limitNanos !== budget.limitNanos ||
        known.enforcement !== budget.enforcement ||
        known.generation !== budget.generation;
      if (!due) continue;
      try {
        wrote = (await this.writeBudget(budget, charges, nowMs)) || wrote;
      } catch (error) {
        this.logger.warn('could not write Budget spend; retrying at the next flush', { budget: budget.id, error: errorMessage(error) });
        if (charges.length > 0) this.pending.set(budget.id, [...charges, ...(this.pending.get(budget.id) ?? [])]);
      }
    }
    for (const id of this.known.keys()) if (!budgets.has(id)) this.known.delete(id);
    const ackChanged = this.updateAcknowledged(nowMs);
    const totalsChanged = this.totalsChanged;
    this.totalsChanged = false;
    if (wrote || ackChanged || totalsChanged || this.latest === undefined) {
      this.latest = this.buildSnapshot(budgets);
      this.options.onSnapshot?.(this.latest);
    }
  }

  /** Read-modify-write of one Budget's status; true when it wrote. */
  private async writeBudget(budget: CompiledBudget, charges: BudgetCharge[], nowMs: number): Promise<boolean> {
    const path = resourcePath(BUDGETS, budget.namespace, budget.name);
    const retries = this.options.maxConflictRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      let object: BudgetObject;
      try {
        object = await this.options.client.get<BudgetObject>(path);
      } catch (error) {
        if (error instanceof KubeApiError && error.notFound) return false; // deleted: its spend goes with it
        throw error;
      }
      const current = readBudgetSpendStatus(object.status);
      const { next, changed } = applyCharges(current, budget, charges, nowMs, object.metadata.generation);
      if (changed) {
        try {
          await this.options.client.patch(
            resourcePath(BUDGETS, budget.namespace, budget.name, 'status'),
            { metadata: { resourceVersion: object.metadata.resourceVersion }, status: spendStatusFields(next) },
            'merge',
          );
        } catch (error) {
          if (error instanceof KubeApiError && error.conflict && attempt < retries) continue;
          if (error instanceof KubeApiError && error.notFound) return false;
          throw error;
        }
      }
      this.known.set(budget.id, {
        periodStartMs: next.periodStartMs ?? 0,
        spentNanos: next.spentNanos,
        limitNanos: budget.limitNanos,
        enforcement: budget.enforcement,
        generation: budget.generation,
      });
      this.mergeTotal(budget.id, { periodStartMs: next.periodStartMs ?? 0, spentNanos: next.spentNanos });
      return changed;
    }
  }

  /** Per boot, the last seq all of whose charges are written: just below its oldest still queued. */
  private updateAcknowledged(nowMs: number): boolean {
    const oldestQueued = new Map<string, number>();
    for (const charges of this.pending.values()) {
      for (const charge of charges)
        oldestQueued.set(charge.bootId, Math.min(oldestQueued.get(charge.bootId) ?? Number.MAX_SAFE_INTEGER, charge.seq));
    }
    let changed = false;
    for (const [bootId, received] of this.received) {
      const seq = Math.min(received, (oldestQueued.get(bootId) ?? Number.MAX_SAFE_INTEGER) - 1);
      const before = this.acknowledged.get(bootId);
      if (seq > 0 && (before === undefined || seq > before.seq)) {
        this.acknowledged.set(bootId, { seq, atMs: nowMs });
        changed = true;
      }
    }
    for (const [bootId, ack] of this.acknowledged) {
      if (ack.atMs < nowMs - APPLIED_BATCH_RETENTION_MS) {
        this.acknowledged.delete(bootId);
        this.received.delete(bootId);
      }
    }
    return changed;
  }

  /** Keeps the later period, and within a period the larger spend; true when it changed. */
  private mergeTotal(budgetId: string, total: BudgetTotal): boolean {
    const have = this.totals.get(budgetId);
    if (
      have &&
      (have.periodStartMs > total.periodStartMs || (have.periodStartMs === total.periodStartMs && have.spentNanos >= total.spentNanos))
    )
      return false;
    this.totals.set(budgetId, total);
    return true;
  }

  /** The budgets of the table only: the watch may know Budgets the table dropped or not yet compiled. */
  private buildSnapshot(inTable: ReadonlyMap<string, CompiledBudget>): SpendSnapshot {
    const budgets = [...this.totals]
      .filter(([budgetId]) => inTable.has(budgetId))
      .map(([budgetId, known]) => ({
        budgetId,
        periodStart: new Date(known.periodStartMs).toISOString(),
        spentNanos: known.spentNanos.toString(),
      }));
    return { budgets, appliedReports: Object.fromEntries([...this.acknowledged].map(([bootId, ack]) => [bootId, ack.seq])) };
  }
}
