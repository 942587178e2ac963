// The leader's spend path (DESIGN.md "Control-plane protocol"). Gateways POST usage batches;
// the leader queues their charges per budget and, at most every flushIntervalMs, writes each
// touched Budget's status once: read, apply the charges not yet applied for each gateway boot,
// write with the read resourceVersion as precondition, and on 409 read again. After each flush
// it publishes a spend snapshot (every budget's spent, and per boot the last batch every
// written budget includes) so each gateway enforces the cluster's totals and forgets the
// batches that are now durable. A follower holds nothing: it refuses reports (503) and the
// gateway resends them, since a batch stays pending until a snapshot acknowledges it.
import type { CompiledBudget } from '@switchyard/compiler';
import { KubeApiError, type KubeClient } from '../kube/kube-client.js';
import { BUDGETS, resourcePath, type KubeObject } from '../kube/resources.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';
import { budgetPeriodStartMs } from './budget-period.js';
import { APPLIED_BATCH_RETENTION_MS, applyCharges, readBudgetSpendStatus, spendStatusFields, type BudgetCharge } from './budget-spend-status.js';
import type { SpendSnapshot, UsageReport } from './usage-report-message.js';

export interface SpendAggregatorOptions {
  client: KubeClient;
  isLeader(): boolean;
  /** The budgets of the latest routing table. */
  budgets(): readonly CompiledBudget[];
  onSnapshot?(snapshot: SpendSnapshot): void;
  logger?: Logger;
  /** How often Budget status may be written; default 2 s. */
  flushIntervalMs?: number;
  nowMs?: () => number;
  maxConflictRetries?: number;
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
  private readonly known = new Map<string, KnownBudget>();
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

  /** Queues the charges of reports this leadership has not seen yet; false on a follower. */
  accept(reports: readonly UsageReport[]): boolean {
    if (!this.options.isLeader()) return false;
    const ordered = [...reports].sort((a, b) => a.seq - b.seq);
    for (const report of ordered) {
      if (report.seq <= (this.received.get(report.bootId) ?? 0)) continue;
      this.received.set(report.bootId, report.seq);
      for (const entry of report.entries) {
        const charge: BudgetCharge = { bootId: report.bootId, seq: report.seq, periodStart: entry.periodStart, costNanos: BigInt(entry.costNanos) };
        const list = this.pending.get(entry.budgetId);
        if (list) list.push(charge);
        else this.pending.set(entry.budgetId, [charge]);
      }
    }
    return true;
  }

  /** The snapshot of the last flush, if this replica leads and has flushed. */
  snapshot(): SpendSnapshot | undefined {
    return this.options.isLeader() ? this.latest : undefined;
  }

  /** A new leader starts from the Budgets' status; a follower forgets everything. */
  onLeadershipChanged(leading: boolean): void {
    this.pending = new Map();
    this.received.clear();
    this.acknowledged.clear();
    this.known.clear();
    this.latest = undefined;
    if (leading) void this.flush();
  }

  /** One pass: writes every Budget with queued charges, a new period, or not yet read. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (!this.options.isLeader()) return;
    const nowMs = this.nowMs();
    const taken = this.pending;
    this.pending = new Map();
    const budgets = new Map(this.options.budgets().map((b) => [b.id, b]));
    let wrote = false;
    for (const [budgetId, charges] of taken) {
      if (!budgets.has(budgetId)) this.logger.debug('usage for a budget not in the routing table dropped', { budget: budgetId, batches: charges.length });
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
      if (!this.options.isLeader()) return;
      try {
        wrote = (await this.writeBudget(budget, charges, nowMs)) || wrote;
      } catch (error) {
        this.logger.warn('could not write Budget spend; retrying at the next flush', { budget: budget.id, error: errorMessage(error) });
        if (charges.length > 0) this.pending.set(budget.id, [...charges, ...(this.pending.get(budget.id) ?? [])]);
      }
    }
    for (const id of this.known.keys()) if (!budgets.has(id)) this.known.delete(id);
    const ackChanged = this.updateAcknowledged(nowMs);
    if (!this.options.isLeader()) return;
    if (wrote || ackChanged || this.latest === undefined) {
      this.latest = this.buildSnapshot();
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
        if (!this.options.isLeader()) throw new Error('no longer the leader');
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
      return changed;
    }
  }

  /** Per boot, the last seq all of whose charges are written: just below its oldest still queued. */
  private updateAcknowledged(nowMs: number): boolean {
    const oldestQueued = new Map<string, number>();
    for (const charges of this.pending.values()) {
      for (const charge of charges) oldestQueued.set(charge.bootId, Math.min(oldestQueued.get(charge.bootId) ?? Number.MAX_SAFE_INTEGER, charge.seq));
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

  private buildSnapshot(): SpendSnapshot {
    const budgets = [...this.known].map(([budgetId, known]) => ({
      budgetId,
      periodStart: new Date(known.periodStartMs).toISOString(),
      spentNanos: known.spentNanos.toString(),
    }));
    return { budgets, appliedReports: Object.fromEntries([...this.acknowledged].map(([bootId, ack]) => [bootId, ack.seq])) };
  }
}
