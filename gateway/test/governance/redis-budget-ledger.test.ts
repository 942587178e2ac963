// The Redis budget ledger against a real redis-server: one check-and-reserve across all of a
// request's budgets, shared by every ledger instance; settlement applied once; snapshots raise spend.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CompiledBudget } from '@switchyard/compiler';
import { Registry } from 'prom-client';
import type { BudgetReserveOutcome } from '../../src/governance/budget/budget-ledger.js';
import { GovernanceMetrics } from '../../src/governance/governance-metrics.js';
import { RedisBudgetLedger } from '../../src/governance/redis/redis-budget-ledger.js';
import { connectRedis, type RedisConnection } from '../../src/redis/redis-connection.js';
import { SettlementRetryQueue } from '../../src/governance/redis/settlement-retry-queue.js';
import { createLogger } from '@switchyard/compiler';
import { redisServerAvailable, startRedisServer, type RedisServer } from './redis-server-process.js';

const quiet = createLogger({ write: () => undefined });
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;
const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

let budgetCounter = 0;
const budget = (limitNanos: bigint, enforcement: 'Block' | 'Warn' = 'Block'): CompiledBudget => {
  const name = `b${++budgetCounter}`;
  return { id: `ai/${name}`, namespace: 'ai', name, generation: 1, limitNanos: limitNanos.toString(), period: 'Daily', enforcement };
};

function admitted(outcome: BudgetReserveOutcome): Extract<BudgetReserveOutcome, { admitted: true }> {
  if (!outcome.admitted) throw new Error(`refused by ${outcome.exhausted.id}`);
  return outcome;
}

describeWithRedis('Redis budget ledger', () => {
  let server: RedisServer;
  const connections: RedisConnection[] = [];

  async function ledger(): Promise<RedisBudgetLedger> {
    const redis = connectRedis({ url: server.url, timeoutMs: 2_000, logger: quiet, metrics: new GovernanceMetrics(new Registry()) });
    await redis.waitReady(5_000);
    connections.push(redis);
    return RedisBudgetLedger.create({ redis, retries: new SettlementRetryQueue(redis, quiet), logger: quiet, nowMs: () => T0 });
  }

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const connection of connections) await connection.close();
    await server?.stop();
  });

  it('reserves atomically across ledgers: 50 concurrent reservations of 100 under a limit of 1 000 admit exactly 10', async () => {
    const ledgers = [await ledger(), await ledger(), await ledger()];
    const team = budget(1000n);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (ledgers[i % 3] as RedisBudgetLedger).reserve({ budgets: [team], estimateNanos: 100n, nowMs: T0, leaseMs: 60_000 }),
      ),
    );
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(10);
    expect(await (ledgers[0] as RedisBudgetLedger).spend(team, T0)).toMatchObject({ spentNanos: 0n, reservedNanos: 1000n });
    for (const outcome of outcomes) if (outcome.admitted) outcome.reservation.settle(60n, T0 + 1);
    await flush();
    expect(await (ledgers[1] as RedisBudgetLedger).spend(team, T0)).toMatchObject({ spentNanos: 600n, reservedNanos: 0n });
  });

  it('needs room in every Block budget, flags Warn budgets, and takes nothing when refused', async () => {
    const l = await ledger();
    const wide = budget(10_000n);
    const narrow = budget(50n);
    const soft = budget(10n, 'Warn');
    expect(await l.reserve({ budgets: [wide, narrow], estimateNanos: 100n, nowMs: T0, leaseMs: 1_000 })).toMatchObject({
      admitted: false,
      exhausted: narrow,
      spentOut: false,
    });
    expect((await l.spend(wide, T0)).reservedNanos).toBe(0n);
    const outcome = admitted(await l.reserve({ budgets: [wide, soft], estimateNanos: 100n, nowMs: T0, leaseMs: 1_000 }));
    expect(outcome.warnings).toEqual([soft]);
  });

  it('settles once, releases on failure, and reclaims the reservation of a holder that never settles', async () => {
    const l = await ledger();
    const team = budget(1000n);
    const first = admitted(await l.reserve({ budgets: [team], estimateNanos: 400n, nowMs: T0, leaseMs: 10_000 }));
    first.reservation.settle(300n, T0);
    first.reservation.settle(300n, T0);
    admitted(await l.reserve({ budgets: [team], estimateNanos: 400n, nowMs: T0, leaseMs: 10_000 })).reservation.settle(undefined, T0);
    await flush();
    expect(await l.spend(team, T0)).toMatchObject({ spentNanos: 300n, reservedNanos: 0n });
    admitted(await l.reserve({ budgets: [team], estimateNanos: 700n, nowMs: T0, leaseMs: 10_000 })); // never settled
    expect(await l.reserve({ budgets: [team], estimateNanos: 1n, nowMs: T0 + 9_999, leaseMs: 10_000 })).toMatchObject({ admitted: false });
    expect((await l.reserve({ budgets: [team], estimateNanos: 700n, nowMs: T0 + 10_001, leaseMs: 10_000 })).admitted).toBe(true);
  });

  it('handles free requests (a zero estimate and zero cost)', async () => {
    const l = await ledger();
    const team = budget(10n);
    admitted(await l.reserve({ budgets: [team], estimateNanos: 0n, nowMs: T0, leaseMs: 10 })).reservation.settle(undefined, T0);
    admitted(await l.reserve({ budgets: [team], estimateNanos: 0n, nowMs: T0, leaseMs: 10 }));
    await flush();
    // The second one's lease ends and is reclaimed without error.
    expect((await l.reserve({ budgets: [team], estimateNanos: 10n, nowMs: T0 + 20, leaseMs: 10 })).admitted).toBe(true);
    expect(await l.spend(team, T0)).toMatchObject({ spentNanos: 0n, reservedNanos: 10n });
  });

  it('raises spend to an operator snapshot and reports its own settlements', async () => {
    const l = await ledger();
    const team = budget(1_000_000n);
    admitted(await l.reserve({ budgets: [team], estimateNanos: 10n, nowMs: T0, leaseMs: 1_000 })).reservation.settle(7n, T0);
    await flush();
    const [report] = l.drainUsageReports();
    expect(report?.entries).toEqual([{ budgetId: team.id, periodStart: '2026-11-25T00:00:00.000Z', costNanos: '7', requests: 1 }]);
    // A snapshot below Redis's figure changes nothing; above it (Redis lost data) raises it.
    await l.applySpendSnapshot({
      budgets: [{ budgetId: team.id, periodStart: '2026-11-25T00:00:00.000Z', spentNanos: '5' }],
      appliedReports: { [report?.bootId ?? '']: 1 },
    });
    expect((await l.spend(team, T0)).spentNanos).toBe(7n);
    await l.applySpendSnapshot({
      budgets: [{ budgetId: team.id, periodStart: '2026-11-25T00:00:00.000Z', spentNanos: '123456789012345678' }],
    });
    expect((await l.spend(team, T0)).spentNanos).toBe(123456789012345678n);
    expect(l.drainUsageReports()).toEqual([]);
  });
});
