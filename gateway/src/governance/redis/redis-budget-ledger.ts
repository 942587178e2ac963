// The budget ledger shared by every gateway on one Redis: a reservation is checked and taken in
// one script across all of a request's budgets, settlement replaces it with the real cost in
// another, so concurrent requests on any replica can never both take the last room. Spend
// survives gateway restarts in Redis (run it with AOF for durability); --state-file, when also
// given, keeps this gateway's view of current spend on disk and raises Redis to it at start,
// so a Redis that lost its data does not reset budgets to zero.
import { randomUUID } from 'node:crypto';
import { budgetPeriodStartMs, nextBudgetPeriodStartMs, type CompiledBudget } from '@switchyard/compiler';
import type { Logger } from '@switchyard/compiler';
import {
  accountKey,
  type BudgetLedger,
  type BudgetReservation,
  type BudgetReserveOutcome,
  type BudgetReserveRequest,
  type BudgetSpend,
  type SpendSnapshot,
  type UsageReport,
} from '../budget/budget-ledger.js';
import { readSpendStateFile, SpendStateWriter, type SpendRecord } from '../budget/spend-state-file.js';
import { openUsageReportBook } from '../budget/usage-journal.js';
import type { UsageReportBook } from '../budget/usage-report-book.js';
import { CHARGE_BUDGETS, RAISE_SPENT, READ_ACCOUNT, RESERVE_BUDGETS, SETTLE_BUDGETS, SETTLE_HELD } from './budget-scripts.js';
import type { RedisConnection } from '../../redis/redis-connection.js';
import type { SettlementRetryQueue } from './settlement-retry-queue.js';

const TAG = '{sy:budgets}';
/** How long a held reservation's settled marker is kept: past the longest hold (a batch record's 30 days). */
const HELD_SETTLED_MARKER_MS = 32 * 24 * 60 * 60 * 1000;
/** Accounts of finished periods stay readable this long after the period ends. */
const KEEP_AFTER_PERIOD_MS = 35 * 86_400_000;

function accountRedisKey(budgetId: string, start: number): string {
  return `${TAG}:acct:${budgetId}:${start}`;
}

function leasesRedisKey(budgetId: string, start: number): string {
  return `${TAG}:lease:${budgetId}:${start}`;
}

/** When an account key may expire: well after its period ended; never for Total. */
function expireAtMs(budget: CompiledBudget, start: number): number {
  const next = nextBudgetPeriodStartMs(budget.period, start);
  return next === undefined ? 0 : next + KEEP_AFTER_PERIOD_MS;
}

export interface RedisBudgetLedgerOptions {
  redis: RedisConnection;
  retries: SettlementRetryQueue;
  logger: Logger;
  stateFile?: string;
  /** --usage-journal: the usage report book, kept on disk after every change (cluster mode). */
  usageJournal?: string;
  nowMs: () => number;
}

interface KnownSpend {
  budgetId: string;
  start: number;
  spent: bigint;
}

export class RedisBudgetLedger implements BudgetLedger {
  private readonly reports: UsageReportBook;
  private readonly reservationPrefix = randomUUID();
  private seq = 0;
  /** This gateway's latest view of spend, for the state file. */
  private readonly known = new Map<string, KnownSpend>();
  private readonly writer: SpendStateWriter | undefined;
  private seedRecords: SpendRecord[] = [];

  private constructor(private readonly options: RedisBudgetLedgerOptions) {
    this.reports = openUsageReportBook({ journalPath: options.usageJournal, logger: options.logger });
    if (options.stateFile !== undefined) {
      this.seedRecords = readSpendStateFile(options.stateFile) ?? [];
      for (const record of this.seedRecords) this.remember(record.budgetId, Date.parse(record.periodStart), BigInt(record.spentNanos));
      this.writer = new SpendStateWriter({
        path: options.stateFile,
        collect: () => this.records(),
        logger: options.logger,
        nowMs: options.nowMs,
      });
    }
  }

  static create(options: RedisBudgetLedgerOptions): RedisBudgetLedger {
    const ledger = new RedisBudgetLedger(options);
    if (ledger.seedRecords.length > 0) {
      // Raise Redis to what the state file saw, now and whenever Redis comes back (it may have restarted empty).
      const seed = (): void => void ledger.seed();
      options.redis.onReady(seed);
      if (options.redis.up) seed();
    }
    return ledger;
  }

  async reserve(request: BudgetReserveRequest): Promise<BudgetReserveOutcome> {
    const { budgets, estimateNanos, nowMs } = request;
    const id = `${this.reservationPrefix}:${++this.seq}`;
    const keys: string[] = [];
    const args: Array<string | number> = [nowMs, nowMs + request.leaseMs, id, estimateNanos.toString()];
    const starts = budgets.map((budget) => budgetPeriodStartMs(budget.period, nowMs));
    budgets.forEach((budget, i) => {
      const start = starts[i] as number;
      keys.push(accountRedisKey(budget.id, start), leasesRedisKey(budget.id, start));
      args.push(budget.limitNanos, budget.enforcement === 'Block' ? '1' : '0', expireAtMs(budget, start));
    });
    const reply = (await this.options.redis.run(RESERVE_BUDGETS, keys, args)) as number[];
    if (Number(reply[0]) === 0) {
      return { admitted: false, exhausted: budgets[Number(reply[1]) - 1] as CompiledBudget, spentOut: Number(reply[2]) === 1 };
    }
    const warnings = reply.slice(1).map((index) => budgets[Number(index) - 1] as CompiledBudget);
    let open = true;
    const reservation: BudgetReservation = {
      settle: (costNanos, settledAtMs) => {
        if (!open) return;
        open = false;
        this.settle(budgets, keys, id, costNanos !== undefined && costNanos > 0n ? costNanos : 0n, settledAtMs);
      },
      // Everything another replica needs to release it: the reservation id and the keys it is held under.
      ...(request.held === true ? { handle: JSON.stringify({ id, keys }) } : {}),
    };
    return { admitted: true, reservation, warnings };
  }

  charge(budgets: readonly CompiledBudget[], costNanos: bigint, nowMs: number): void {
    const starts = budgets.map((budget) => budgetPeriodStartMs(budget.period, nowMs));
    const keys = [
      `${TAG}:charged:${this.reservationPrefix}:${++this.seq}`,
      ...budgets.map((budget, i) => accountRedisKey(budget.id, starts[i] as number)),
    ];
    const args = [costNanos.toString(), ...budgets.map((budget, i) => expireAtMs(budget, starts[i] as number))];
    for (const [i, budget] of budgets.entries()) this.reports.record(budget.id, starts[i] as number, costNanos);
    this.options.retries.run('budget charge', async () => {
      const reply = (await this.options.redis.run(CHARGE_BUDGETS, keys, args)) as string[];
      if (reply.length > 0) this.charged(budgets, starts, reply);
    });
  }

  settleHeld(budgets: readonly CompiledBudget[], handle: string, costNanos: bigint, nowMs: number): void {
    let held: { id: string; keys: string[] } | undefined;
    try {
      const parsed = JSON.parse(handle) as { id?: unknown; keys?: unknown };
      if (typeof parsed.id === 'string' && Array.isArray(parsed.keys) && parsed.keys.length === 2 * budgets.length)
        held = { id: parsed.id, keys: parsed.keys.map(String) };
    } catch {
      held = undefined;
    }
    if (held === undefined) {
      if (costNanos > 0n) this.charge(budgets, costNanos, nowMs);
      return;
    }
    const { id, keys: reservedKeys } = held;
    const starts = budgets.map((budget) => budgetPeriodStartMs(budget.period, nowMs));
    const accounts = budgets.map((budget, i) => accountRedisKey(budget.id, starts[i] as number));
    const expiries = budgets.map((budget, i) => expireAtMs(budget, starts[i] as number));
    const keys = [`${TAG}:settled-held:${id}`, ...reservedKeys, ...accounts];
    this.options.retries.run('budget settle', async () => {
      const reply = (await this.options.redis.run(SETTLE_HELD, keys, [
        id,
        costNanos.toString(),
        HELD_SETTLED_MARKER_MS,
        ...expiries,
      ])) as string[];
      // Only the one settlement the marker let through reports its cost to the operator: a held
      // reservation may be settled by several replicas, and its spend must be counted once.
      if (reply.length === 0) return;
      if (costNanos > 0n) for (const [i, budget] of budgets.entries()) this.reports.record(budget.id, starts[i] as number, costNanos);
      this.charged(budgets, starts, reply);
    });
  }

  async spend(budget: CompiledBudget, nowMs: number): Promise<BudgetSpend> {
    const start = budgetPeriodStartMs(budget.period, nowMs);
    const [spent, reserved] = (await this.options.redis.run(READ_ACCOUNT, [accountRedisKey(budget.id, start)], [])) as [string, string];
    this.remember(budget.id, start, BigInt(spent));
    return {
      budgetId: budget.id,
      period: budget.period,
      periodStart: new Date(start).toISOString(),
      spentNanos: BigInt(spent),
      reservedNanos: BigInt(reserved),
    };
  }

  async applySpendSnapshot(snapshot: SpendSnapshot): Promise<void> {
    const applied = snapshot.appliedReports?.[this.reports.bootId];
    if (applied !== undefined) this.reports.acknowledge(applied);
    for (const entry of snapshot.budgets) {
      const start = Date.parse(entry.periodStart);
      if (Number.isNaN(start) || !/^\d+$/.test(entry.spentNanos)) continue;
      // Redis already holds every replica's settled spend; the snapshot only raises a Redis that lost it.
      const spent = BigInt(entry.spentNanos) + this.reports.unacknowledged(entry.budgetId, start);
      await this.options.retries.runAndWait('budget snapshot', () =>
        this.options.redis.run(RAISE_SPENT, [accountRedisKey(entry.budgetId, start)], [spent.toString(), 0]),
      );
    }
  }

  drainUsageReports(): UsageReport[] {
    return this.reports.drain(this.options.nowMs());
  }

  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private settle(budgets: readonly CompiledBudget[], reservedKeys: string[], id: string, costNanos: bigint, nowMs: number): void {
    const starts = budgets.map((budget) => budgetPeriodStartMs(budget.period, nowMs));
    const keys = [...reservedKeys, ...budgets.map((budget, i) => accountRedisKey(budget.id, starts[i] as number))];
    const args = [id, costNanos.toString(), ...budgets.map((budget, i) => expireAtMs(budget, starts[i] as number))];
    // The operator's spend (what Budget status shows) comes from usage reports: recorded now, not
    // when Redis confirms, so a Redis outage or a killed gateway delays nothing the journal holds.
    if (costNanos > 0n) for (const [i, budget] of budgets.entries()) this.reports.record(budget.id, starts[i] as number, costNanos);
    this.options.retries.run('budget settle', async () => {
      const reply = (await this.options.redis.run(SETTLE_BUDGETS, keys, args)) as string[];
      if (reply.length > 0 && costNanos > 0n) this.charged(budgets, starts, reply);
    });
  }

  private charged(budgets: readonly CompiledBudget[], starts: number[], spent: string[]): void {
    for (const [i, budget] of budgets.entries()) this.remember(budget.id, starts[i] as number, BigInt(spent[i] ?? '0'));
    this.writer?.markDirty();
  }

  private async seed(): Promise<void> {
    for (const record of this.seedRecords) {
      const start = Date.parse(record.periodStart);
      try {
        const current = (await this.options.redis.run(
          RAISE_SPENT,
          [accountRedisKey(record.budgetId, start)],
          [record.spentNanos, 0],
        )) as string;
        this.remember(record.budgetId, start, BigInt(current));
      } catch (error) {
        this.options.logger.warn('could not raise Redis spend to the state file; retried when Redis is back', {
          budget: record.budgetId,
          error: error instanceof Error ? error.message : String(error),
        });
        return;
      }
    }
  }

  private remember(budgetId: string, start: number, spent: bigint): void {
    const key = accountKey(budgetId, start);
    const known = this.known.get(key);
    if (known === undefined) this.known.set(key, { budgetId, start, spent });
    else if (spent > known.spent) known.spent = spent;
  }

  private records(): SpendRecord[] {
    return [...this.known.values()]
      .filter((k) => k.spent > 0n)
      .map((k) => ({ budgetId: k.budgetId, periodStart: new Date(k.start).toISOString(), spentNanos: k.spent.toString() }));
  }
}
