// Governance of a realtime session (GET /v1/realtime), which has no request to estimate: it is
// admitted at open as one request under the key's rate limits, holding one of the key's
// `concurrentRequests` slots until it closes (so that limit also bounds a key's open sessions),
// and refused when a Block budget covering the key is already spent or when a backend it may
// reach has no realtime price. Each `response.done` is then charged to the budgets as it
// arrives; the charge that leaves a Block budget without room reports it, and the session is
// closed (docs/governance.md, "Realtime sessions").
import type { CompiledBudget, Logger } from '@switchyard/compiler';
import type { RuntimeKey, RuntimeRoute } from '../table/runtime-table.js';
import type { BudgetLedger } from './budget/budget-ledger.js';
import type { BudgetDirectory } from './budget/budget-directory.js';
import type { Clock } from './clock.js';
import type { GovernanceMetrics } from './governance-metrics.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import type { UnpricedBackend } from './cost/request-estimate.js';
import { budgetExceededError, governanceUnavailableError, priceUnknownError, rateLimitedError } from './governance-errors.js';
import { rateLimitHeaders } from './rate-limit/rate-limit-headers.js';
import { hasRateLimit, type RateLimitGrant } from './rate-limit/rate-limiter.js';
import { SharedStoreUnavailableError, type SharedStoreFailureMode } from '../redis/shared-store-unavailable.js';

/** What a session's governance uses of GovernanceAdmission's parts. */
interface SessionGovernance {
  rateLimiter: RateLimiter;
  ledger: BudgetLedger;
  budgets: BudgetDirectory;
  clock: Clock;
  metrics: GovernanceMetrics;
  logger: Logger;
  failureMode: SharedStoreFailureMode;
}

export interface SessionAdmissionRequest {
  key: RuntimeKey;
  route: RuntimeRoute;
  /** Backends the session may reach that have no realtime price. */
  unpriced: readonly UnpricedBackend[];
  /** How long the session may last at most: shared counters reclaim its slot after this. */
  leaseMs: number;
}

/** Held from a session's open to its close. */
export interface SessionAdmission {
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Charges one response's cost to every budget covering the key. Resolves to the Block budget
   * that has no room left after it (the session must close), else undefined.
   */
  charge(costNanos: bigint): Promise<CompiledBudget | undefined>;
  /** Releases the concurrency slot and logs the session's tokens against tokensPerMinute. */
  close(tokens: number): void;
}

const UNGOVERNED: SessionAdmission = { charge: () => Promise.resolve(undefined), close: () => undefined };

/** One nano-dollar: a reservation of it is refused exactly when a Block budget is spent. */
const PROBE_NANOS = 1n;

export async function admitRealtimeSession(options: SessionGovernance, request: SessionAdmissionRequest): Promise<SessionAdmission> {
  const { key, route } = request;
  const limits = key.compiled.rateLimit;
  const limited = hasRateLimit(limits);
  const budgets = key.compiled.budgetIds.length > 0 ? options.budgets.resolve(key.compiled.budgetIds) : [];
  if (!limited && budgets.length === 0) return UNGOVERNED;
  const blocking = budgets.filter((budget) => budget.enforcement === 'Block');
  if (blocking.length > 0 && request.unpriced.length > 0) {
    options.metrics.priceUnknownRefused(key.id, route.id);
    throw priceUnknownError(key, blocking, request.unpriced);
  }
  const nowMs = options.clock.nowMs();
  let grant: RateLimitGrant | undefined;
  let headers: Record<string, string> | undefined;
  try {
    if (limited) {
      const outcome = await options.rateLimiter.acquire({ keyId: key.id, limits, tokens: 0, nowMs, leaseMs: request.leaseMs });
      headers = rateLimitHeaders(outcome.state);
      if (!outcome.admitted) {
        options.metrics.rateLimitRefused(key.id, outcome.refused);
        throw rateLimitedError(key, outcome.refused, outcome.limit, outcome.retryAfterMs, 0, headers);
      }
      grant = outcome.grant;
    }
    if (budgets.length > 0) {
      const probe = await options.ledger.reserve({ budgets, estimateNanos: PROBE_NANOS, nowMs, leaseMs: request.leaseMs });
      if (!probe.admitted) {
        grant?.cancel(nowMs);
        options.metrics.budgetRefused(key.id, probe.exhausted.id);
        throw budgetExceededError(probe.exhausted, true, nowMs, headers);
      }
      probe.reservation.settle(undefined, nowMs);
    }
  } catch (error) {
    if (!(error instanceof SharedStoreUnavailableError)) throw error;
    grant?.cancel(nowMs);
    options.metrics.decidedDegraded(options.failureMode);
    options.logger.warn('realtime session: Redis unreachable', { key: key.id, route: route.id, mode: options.failureMode });
    if (options.failureMode === 'closed') throw governanceUnavailableError(budgets.length > 0 ? 'Rate limits and budgets' : 'Rate limits');
    grant = undefined;
  }
  return {
    ...(headers === undefined ? {} : { headers }),
    charge: (costNanos) => chargeResponse(options, budgets, costNanos),
    close(tokens) {
      grant?.settle(tokens, options.clock.nowMs());
    },
  };
}

/**
 * Reserves the response's cost plus the probe: admitted, the cost is settled and the budgets
 * keep room for more; refused, the cost (already spent upstream) is charged anyway and the
 * exhausted Block budget is named.
 */
async function chargeResponse(
  options: SessionGovernance,
  budgets: readonly CompiledBudget[],
  costNanos: bigint,
): Promise<CompiledBudget | undefined> {
  if (budgets.length === 0) return undefined;
  const nowMs = options.clock.nowMs();
  try {
    const outcome = await options.ledger.reserve({ budgets, estimateNanos: costNanos + PROBE_NANOS, nowMs, leaseMs: 60_000 });
    if (outcome.admitted) {
      outcome.reservation.settle(costNanos, nowMs);
      return undefined;
    }
    if (costNanos > 0n) await options.ledger.charge(budgets, costNanos, nowMs);
    return outcome.exhausted;
  } catch (error) {
    if (!(error instanceof SharedStoreUnavailableError)) throw error;
    // The ledger queues the charge until Redis answers again; the session is not cut for an outage
    // in open mode, and is in closed mode (no budget can be checked).
    if (costNanos > 0n) void Promise.resolve(options.ledger.charge(budgets, costNanos, nowMs)).catch(() => undefined);
    options.logger.warn('realtime session: budget check unavailable (Redis unreachable)', { mode: options.failureMode });
    return options.failureMode === 'closed' ? budgets.find((budget) => budget.enforcement === 'Block') : undefined;
  }
}
