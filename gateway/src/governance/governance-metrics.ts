// Governance metrics, registered on the gateway's registry (admin port only: they name keys and
// spend). Money is exported in USD as doubles, converted once from exact nano-dollars.
import type { CompiledBudget } from '@switchyard/compiler';
import { Counter, Gauge, type Registry } from 'prom-client';
import { nanosToUsdNumber } from './cost/compute-cost.js';
import type { RefusedLimit } from './rate-limit/rate-limiter.js';

export interface BudgetSpendSource {
  /** Current period spend of every known budget, for the spend gauges. */
  budgetSpend(): Promise<Array<{ budget: CompiledBudget; spentNanos: bigint; reservedNanos: bigint }>>;
}

export class GovernanceMetrics {
  private readonly cost: Counter<'route' | 'backend' | 'key'>;
  private readonly rateLimited: Counter<'key' | 'limit'>;
  private readonly budgetRejections: Counter<'key' | 'budget'>;
  private readonly budgetWarnings: Counter<'key' | 'budget'>;
  private readonly priceUnknown: Counter<'key' | 'route'>;
  private readonly sharedStoreUp: Gauge;
  private readonly sharedStoreErrors: Counter<'operation'>;
  private readonly degraded: Counter<'mode'>;
  private spendSource: BudgetSpendSource | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    this.cost = new Counter({
      name: 'switchyard_cost_usd_total',
      help: 'Cost of answered requests in USD, from real usage and the backend price, by route, answering backend and virtual key',
      labelNames: ['route', 'backend', 'key'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'switchyard_rate_limited_total',
      help: 'Requests refused by a virtual key rate limit, by key and limit (requests, tokens, concurrency, tokens_exceed_limit)',
      labelNames: ['key', 'limit'],
      registers,
    });
    this.budgetRejections = new Counter({
      name: 'switchyard_budget_rejections_total',
      help: 'Requests refused because a Block budget covering the key had no room',
      labelNames: ['key', 'budget'],
      registers,
    });
    this.budgetWarnings = new Counter({
      name: 'switchyard_budget_warnings_total',
      help: 'Requests admitted over a Warn budget (flagged, not refused)',
      labelNames: ['key', 'budget'],
      registers,
    });
    this.priceUnknown = new Counter({
      name: 'switchyard_price_unknown_rejections_total',
      help: 'Requests refused because a key under a Block budget could reach a backend without a price',
      labelNames: ['key', 'route'],
      registers,
    });
    this.sharedStoreUp = new Gauge({
      name: 'switchyard_redis_up',
      help: '1 while the shared counter store (Redis) answers, 0 while it does not; absent without --redis-url',
      registers,
    });
    this.sharedStoreErrors = new Counter({
      name: 'switchyard_redis_errors_total',
      help: 'Failed shared counter store (Redis) operations, by operation',
      labelNames: ['operation'],
      registers,
    });
    this.degraded = new Counter({
      name: 'switchyard_governance_degraded_total',
      help: 'Requests decided without rate limits and budgets because Redis was unreachable, by --redis-failure-mode (open: admitted, closed: refused)',
      labelNames: ['mode'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'switchyard_budget_spent_usd',
      help: 'Settled spend of each budget in its current period, in USD, as this gateway knows it',
      labelNames: ['budget', 'period', 'enforcement'],
      registers,
      async collect() {
        this.reset();
        for (const entry of (await self.spendSource?.budgetSpend()) ?? []) {
          this.set(
            { budget: entry.budget.id, period: entry.budget.period, enforcement: entry.budget.enforcement },
            nanosToUsdNumber(entry.spentNanos),
          );
        }
      },
    });
    new Gauge({
      name: 'switchyard_budget_limit_usd',
      help: 'Limit of each budget, in USD',
      labelNames: ['budget', 'period', 'enforcement'],
      registers,
      async collect() {
        this.reset();
        for (const entry of (await self.spendSource?.budgetSpend()) ?? []) {
          this.set(
            { budget: entry.budget.id, period: entry.budget.period, enforcement: entry.budget.enforcement },
            nanosToUsdNumber(BigInt(entry.budget.limitNanos)),
          );
        }
      },
    });
  }

  observeSpendFrom(source: BudgetSpendSource): void {
    this.spendSource = source;
  }

  costed(route: string, backend: string, key: string, nanos: bigint): void {
    if (nanos > 0n) this.cost.inc({ route, backend, key }, nanosToUsdNumber(nanos));
    else this.cost.inc({ route, backend, key }, 0);
  }

  rateLimitRefused(key: string, limit: RefusedLimit): void {
    this.rateLimited.inc({ key, limit });
  }

  budgetRefused(key: string, budget: string): void {
    this.budgetRejections.inc({ key, budget });
  }

  budgetWarned(key: string, budget: string): void {
    this.budgetWarnings.inc({ key, budget });
  }

  priceUnknownRefused(key: string, route: string): void {
    this.priceUnknown.inc({ key, route });
  }

  sharedStore(up: boolean): void {
    this.sharedStoreUp.set(up ? 1 : 0);
  }

  sharedStoreError(operation: string): void {
    this.sharedStoreErrors.inc({ operation });
  }

  decidedDegraded(mode: 'open' | 'closed'): void {
    this.degraded.inc({ mode });
  }
}
