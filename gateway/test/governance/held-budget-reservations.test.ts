// Reservations held past their request (batches): a held reservation has a handle, and any
// ledger sharing the store settles it by that handle: the reservation released and the cost
// charged once. A handle whose reservation was reclaimed (its lease ran out) is charged without
// one, also once; the in-process ledger does the same within its process.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CompiledBudget } from '@switchyard/compiler';
import { createLogger } from '@switchyard/compiler';
import { Registry } from 'prom-client';
import { InProcessBudgetLedger } from '../../src/governance/budget/in-process-budget-ledger.js';
import type { BudgetReserveOutcome } from '../../src/governance/budget/budget-ledger.js';
import { GovernanceMetrics } from '../../src/governance/governance-metrics.js';
import { RedisBudgetLedger } from '../../src/governance/redis/redis-budget-ledger.js';
import { SettlementRetryQueue } from '../../src/governance/redis/settlement-retry-queue.js';
import { connectRedis, type RedisConnection } from '../../src/redis/redis-connection.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from './redis-server-process.js';

const quiet = createLogger({ write: () => undefined });
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;
const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

let budgetCounter = 0;
const budget = (limitNanos: bigint): CompiledBudget => {
  const name = `held${++budgetCounter}`;
  return {
    id: `ai/${name}`,
    namespace: 'ai',
    name,
    generation: 1,
    limitNanos: limitNanos.toString(),
    period: 'Daily',
    enforcement: 'Block',
  };
};

function handleOf(outcome: BudgetReserveOutcome): string {
  if (!outcome.admitted) throw new Error(`refused by ${outcome.exhausted.id}`);
  const { handle } = outcome.reservation;
  if (handle === undefined) throw new Error('a held reservation has a handle');
  return handle;
}

describe('held reservations in one process', () => {
  it('are settled by handle, once, and a handle from before a restart is charged without one', () => {
    const ledger = new InProcessBudgetLedger({ logger: quiet, nowMs: () => T0 });
    const team = budget(1_000n);
    const handle = handleOf(ledger.reserve({ budgets: [team], estimateNanos: 800n, nowMs: T0, leaseMs: 60_000, held: true }));
    expect(ledger.reserve({ budgets: [team], estimateNanos: 300n, nowMs: T0, leaseMs: 60_000 }).admitted).toBe(false);
    ledger.settleHeld([team], handle, 100n, T0);
    ledger.settleHeld([team], handle, 100n, T0);
    expect(ledger.spend(team, T0)).toMatchObject({ spentNanos: 100n, reservedNanos: 0n });
    // Unknown to this process (another run held it): charged, nothing released, once.
    ledger.settleHeld([team], 'held:999', 50n, T0);
    ledger.settleHeld([team], 'held:999', 50n, T0);
    expect(ledger.spend(team, T0)).toMatchObject({ spentNanos: 150n, reservedNanos: 0n });
  });
});

describeWithRedis('held reservations in Redis', () => {
  let server: RedisServer;
  const connections: RedisConnection[] = [];

  async function ledger(nowMs: () => number = () => T0): Promise<RedisBudgetLedger> {
    const redis = connectRedis({ url: server.url, timeoutMs: 2_000, logger: quiet, metrics: new GovernanceMetrics(new Registry()) });
    await redis.waitReady(5_000);
    connections.push(redis);
    return RedisBudgetLedger.create({ redis, retries: new SettlementRetryQueue(redis, quiet), logger: quiet, nowMs });
  }

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const connection of connections) await connection.close();
    await server?.stop();
  });

  it('are settled by another ledger through the handle: released, and charged once', async () => {
    const [holder, settler] = [await ledger(), await ledger()];
    const team = budget(1_000n);
    const handle = handleOf(await holder.reserve({ budgets: [team], estimateNanos: 900n, nowMs: T0, leaseMs: 86_400_000, held: true }));
    expect(await settler.spend(team, T0)).toMatchObject({ reservedNanos: 900n });
    settler.settleHeld([team], handle, 120n, T0 + 1);
    await flush();
    expect(await holder.spend(team, T0)).toMatchObject({ spentNanos: 120n, reservedNanos: 0n });
    settler.settleHeld([team], handle, 120n, T0 + 2);
    await flush();
    expect(await holder.spend(team, T0)).toMatchObject({ spentNanos: 120n, reservedNanos: 0n });
  });

  it('charge a reservation whose lease ran out without it, once', async () => {
    const [holder, settler] = [await ledger(), await ledger()];
    const team = budget(1_000n);
    const handle = handleOf(await holder.reserve({ budgets: [team], estimateNanos: 900n, nowMs: T0, leaseMs: 1_000, held: true }));
    // A later reservation reclaims the expired lease.
    handleOf(await holder.reserve({ budgets: [team], estimateNanos: 10n, nowMs: T0 + 5_000, leaseMs: 60_000, held: true }));
    expect(await holder.spend(team, T0)).toMatchObject({ reservedNanos: 10n });
    settler.settleHeld([team], handle, 70n, T0 + 6_000);
    settler.settleHeld([team], handle, 70n, T0 + 6_000);
    await flush();
    expect(await holder.spend(team, T0)).toMatchObject({ spentNanos: 70n, reservedNanos: 10n });
  });
});
