// Builds governance for the gateway process from its flags: the table holder that tells it about
// budgets, the AdmissionControl, the cost observer and the spend ledger. Without --redis-url the
// limiter and ledger live in this process (exact for one gateway; spend durable through
// --state-file); with it they live in Redis (exact across every gateway sharing it).
import type { Registry } from 'prom-client';
import type { Logger } from '@switchyard/compiler';
import type { AdmissionControl } from './admission-control.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { TableHolder } from '../table/table-holder.js';
import { BudgetDirectory, GovernedTableHolder } from './budget/budget-directory.js';
import type { BudgetLedger } from './budget/budget-ledger.js';
import { InProcessBudgetLedger } from './budget/in-process-budget-ledger.js';
import { clockFromEnvironment, type Clock } from './clock.js';
import type { CostObserver } from './cost/exchange-cost.js';
import { GovernanceAdmission } from './governance-admission.js';
import { GovernanceMetrics } from './governance-metrics.js';
import { InProcessRateLimiter } from './rate-limit/in-process-rate-limiter.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import { RedisBudgetLedger } from './redis/redis-budget-ledger.js';
import { connectRedis, type RedisConnection } from '../redis/redis-connection.js';
import { RedisRateLimiter } from './redis/redis-rate-limiter.js';
import { SettlementRetryQueue } from './redis/settlement-retry-queue.js';
import type { SharedStoreFailureMode } from '../redis/shared-store-unavailable.js';

export interface GovernanceOptions {
  providers: ProviderRegistry;
  metricsRegistry: Registry;
  logger: Logger;
  stateFile?: string | undefined;
  /** --usage-journal (cluster mode). */
  usageJournal?: string | undefined;
  redisUrl?: string | undefined;
  redisFailureMode: SharedStoreFailureMode;
  redisTimeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** Overrides the clock (embedders, tests); otherwise the wall clock or the test clock file. */
  clock?: Clock;
}

export interface Governance {
  tables: TableHolder;
  admission: AdmissionControl;
  costs: CostObserver;
  /** For the cluster spend path: applySpendSnapshot() and drainUsageReports(). */
  ledger: BudgetLedger;
  clock: Clock;
  /** The shared Redis connection (with --redis-url), for other shared state such as the response cache. */
  redis: RedisConnection | undefined;
  /** Where rate limits and budgets are kept, for the start log line. */
  describe(): Record<string, unknown>;
  /** Writes pending spend and disconnects; call on shutdown. */
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 60_000;
const REDIS_START_WAIT_MS = 3_000;

export async function createGovernance(options: GovernanceOptions): Promise<Governance> {
  const { logger } = options;
  const environmentClock = clockFromEnvironment(options.env);
  const clock = options.clock ?? environmentClock.clock;
  if (options.clock === undefined && environmentClock.testClockFile !== undefined) {
    logger.warn('governance clock read from a test clock file (NODE_ENV=test); never set this in production', {
      clockFile: environmentClock.testClockFile,
    });
  }
  const metrics = new GovernanceMetrics(options.metricsRegistry);
  const budgets = new BudgetDirectory();

  let rateLimiter: RateLimiter;
  let ledger: BudgetLedger;
  let redis: RedisConnection | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  if (options.redisUrl !== undefined) {
    redis = connectRedis({ url: options.redisUrl, timeoutMs: options.redisTimeoutMs, logger, metrics });
    const retries = new SettlementRetryQueue(redis, logger);
    rateLimiter = new RedisRateLimiter(redis, retries);
    ledger = RedisBudgetLedger.create({
      redis,
      retries,
      logger,
      ...(options.stateFile === undefined ? {} : { stateFile: options.stateFile }),
      ...(options.usageJournal === undefined ? {} : { usageJournal: options.usageJournal }),
      nowMs: () => clock.nowMs(),
    });
    if (!(await redis.waitReady(REDIS_START_WAIT_MS))) {
      logger.error('Redis not reachable at start; serving with --redis-failure-mode until it is', { mode: options.redisFailureMode });
    }
  } else {
    const inProcessLimiter = new InProcessRateLimiter();
    const inProcessLedger = new InProcessBudgetLedger({
      logger,
      ...(options.stateFile === undefined ? {} : { stateFile: options.stateFile }),
      ...(options.usageJournal === undefined ? {} : { usageJournal: options.usageJournal }),
      nowMs: () => clock.nowMs(),
    });
    rateLimiter = inProcessLimiter;
    ledger = inProcessLedger;
    sweeper = setInterval(() => {
      const nowMs = clock.nowMs();
      inProcessLimiter.sweep(nowMs);
      inProcessLedger.sweep(nowMs);
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
  }

  metrics.observeSpendFrom({
    async budgetSpend() {
      const nowMs = clock.nowMs();
      const entries = [];
      for (const budget of budgets.all()) {
        try {
          const spend = await ledger.spend(budget, nowMs);
          entries.push({ budget, spentNanos: spend.spentNanos, reservedNanos: spend.reservedNanos });
        } catch {
          // Redis unreachable: the gauge skips the budget rather than failing the scrape.
        }
      }
      return entries;
    },
  });

  const admission = new GovernanceAdmission({
    rateLimiter,
    ledger,
    budgets,
    clock,
    metrics,
    logger,
    failureMode: options.redisFailureMode,
  });
  return {
    tables: new GovernedTableHolder(options.providers, budgets),
    admission,
    costs: metrics,
    ledger,
    clock,
    redis,
    describe: () => ({
      counters: redis === undefined ? 'in-process' : 'redis',
      ...(options.redisUrl === undefined ? {} : { redisFailureMode: options.redisFailureMode }),
      ...(options.stateFile === undefined ? {} : { stateFile: options.stateFile }),
      ...(options.usageJournal === undefined ? {} : { usageJournal: options.usageJournal }),
    }),
    async close() {
      if (sweeper !== undefined) clearInterval(sweeper);
      await ledger.close();
      await redis?.close();
    },
  };
}
