// Stage 4, admit, with governance: the AdmissionControl the gateway runs. Per request it
// estimates the tokens and cost the request may use, takes room from the key's rate limits and
// from every budget covering the key, and returns an Admission whose settlement replaces the
// estimate with the real usage and cost. Keys without limits or budgets skip all of it.
import { budgetPeriodStartMs, type CompiledBudget } from '@switchyard/compiler';
import type { Logger } from '@switchyard/compiler';
import type {
  Admission,
  AdmissionControl,
  AdmissionRequest,
  BatchAdmissionControl,
  BatchAdmissionRequest,
  BatchHold,
  SettlementDetails,
} from './admission-control.js';
import type { RuntimeKey, RuntimeRoute } from '../table/runtime-table.js';
import { accountKey, type BudgetLedger, type BudgetReserveOutcome } from './budget/budget-ledger.js';
import type { BudgetDirectory } from './budget/budget-directory.js';
import type { Clock } from './clock.js';
import { estimateBatch, estimateRequest, type PromptCounter, type RequestEstimate } from './cost/request-estimate.js';
import {
  budgetExceededError,
  governanceUnavailableError,
  priceUnknownError,
  rateLimitedError,
  roundRateLimitedError,
} from './governance-errors.js';
import type { GovernanceMetrics } from './governance-metrics.js';
import { rateLimitHeaders } from './rate-limit/rate-limit-headers.js';
import { hasRateLimit, type RateLimiter, type RateLimitOutcome, type RateLimitState } from './rate-limit/rate-limiter.js';
import { SharedStoreUnavailableError, type SharedStoreFailureMode } from '../redis/shared-store-unavailable.js';
import { admitRealtimeSession, type SessionAdmission, type SessionAdmissionRequest } from './realtime-session-admission.js';

const BUDGET_WARNING_HEADER = 'x-switchyard-budget-warning';

export interface GovernanceAdmissionOptions {
  rateLimiter: RateLimiter;
  ledger: BudgetLedger;
  budgets: BudgetDirectory;
  clock: Clock;
  metrics: GovernanceMetrics;
  logger: Logger;
  /** What to do when the shared store (Redis) cannot answer: admit unchecked, or refuse with 503. */
  failureMode: SharedStoreFailureMode;
}

const UNGOVERNED: Admission = { settle: () => undefined };
const NO_BUDGETS: readonly CompiledBudget[] = [];

type Decided<T> = T | Promise<T>;

/** The limiter's state as it is once a cancelled admission is undone. */
function withoutThisRequest(state: RateLimitState, tokens: number): RateLimitState {
  const undone: RateLimitState = {};
  if (state.requests !== undefined)
    undone.requests = { ...state.requests, remaining: Math.min(state.requests.limit, state.requests.remaining + 1) };
  if (state.tokens !== undefined)
    undone.tokens = { ...state.tokens, remaining: Math.min(state.tokens.limit, state.tokens.remaining + tokens) };
  return undone;
}

function isPromise<T>(value: Decided<T> | undefined): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/**
 * A key's requests are counted Tokenized only when every budget covering it asks for it: one
 * Strict budget keeps the proven bound for all (the ledger reserves one amount in each budget).
 * The tokensPerMinute limit takes the same estimate; a key without budgets keeps the byte bound.
 */
function promptCounterOf(budgets: readonly CompiledBudget[]): PromptCounter {
  if (budgets.length === 0) return 'Strict';
  for (const budget of budgets) if (budget.reservation !== 'Tokenized') return 'Strict';
  return 'Tokenized';
}

/** A tool call holds no concurrency slot, so its lease only bounds a counter a crashed gateway left behind. */
const TOOL_CALL_LEASE_MS = 60_000;

export class GovernanceAdmission implements AdmissionControl {
  /** `budgetId@periodStart` of Warn budgets already logged as exceeded, so the log says it once per period. */
  private readonly warnedPeriods = new Set<string>();

  readonly batches: BatchAdmissionControl = {
    holdBatch: (request) => this.holdBatch(request),
    settleBatch: (key, hold, costNanos) => this.settleBatch(key, hold, costNanos),
  };

  constructor(private readonly options: GovernanceAdmissionOptions) {}

  /**
   * A batch submission: one request under the key's rate limits (tokens included: the estimate
   * of every line), and the estimate reserved in every budget covering the key, held under a
   * handle until the results are fetched (`settleBatch`), not until this request ends.
   */
  private async holdBatch(request: BatchAdmissionRequest): Promise<BatchHold> {
    const { key, route } = request;
    const limits = key.compiled.rateLimit;
    const budgets = key.compiled.budgetIds.length > 0 ? this.options.budgets.resolve(key.compiled.budgetIds) : NO_BUDGETS;
    if (!hasRateLimit(limits) && budgets.length === 0) return { hold: undefined };
    const nowMs = this.options.clock.nowMs();
    const estimate = estimateBatch(key, route, request.promptTokens, request.maxOutputTokens);
    if (estimate.unpriced.length > 0) {
      const blocking = budgets.filter((budget) => budget.enforcement === 'Block');
      if (blocking.length > 0) {
        this.options.metrics.priceUnknownRefused(key.id, route.id);
        throw priceUnknownError(key, blocking, estimate.unpriced);
      }
    }
    let rate: RateLimitOutcome | undefined;
    let budget: BudgetReserveOutcome | undefined;
    try {
      rate = hasRateLimit(limits)
        ? await this.options.rateLimiter.acquire({ keyId: key.id, limits, tokens: estimate.tokens, nowMs, leaseMs: estimate.leaseMs })
        : undefined;
      budget =
        budgets.length > 0
          ? await this.options.ledger.reserve({ budgets, estimateNanos: estimate.costNanos, nowMs, leaseMs: request.holdMs, held: true })
          : undefined;
    } catch (error) {
      if (rate?.admitted) rate.grant.cancel(nowMs);
      if (!(error instanceof SharedStoreUnavailableError)) throw error;
      this.options.metrics.decidedDegraded(this.options.failureMode);
      if (this.options.failureMode === 'closed')
        throw governanceUnavailableError(budgets.length > 0 ? 'Rate limits and budgets' : 'Rate limits');
      return { hold: undefined };
    }
    const admission = this.decide(key, budgets, estimate, nowMs, rate, budget);
    // The submission is counted; its concurrency slot ends with this request (the batch runs upstream).
    rate?.admitted === true && rate.grant.settle(estimate.tokens, nowMs);
    const handle = budget?.admitted === true ? budget.reservation.handle : undefined;
    return { hold: handle, ...(admission.headers === undefined ? {} : { headers: admission.headers }) };
  }

  private settleBatch(key: RuntimeKey, hold: string | undefined, costNanos: bigint): void {
    const budgets = key.compiled.budgetIds.length > 0 ? this.options.budgets.resolve(key.compiled.budgetIds) : NO_BUDGETS;
    if (budgets.length === 0) return;
    const nowMs = this.options.clock.nowMs();
    if (hold !== undefined) this.options.ledger.settleHeld(budgets, hold, costNanos, nowMs);
    else if (costNanos > 0n) void this.options.ledger.charge(budgets, costNanos, nowMs);
  }

  /**
   * Tool calls are counted by the same limiter as requests (in process, or in Redis across
   * gateways), under their own name so they never use up the key's requestsPerMinute.
   */
  async admitToolCall(keyId: string, callsPerMinute: number): Promise<number | undefined> {
    const nowMs = this.options.clock.nowMs();
    let outcome: RateLimitOutcome;
    try {
      outcome = await this.options.rateLimiter.acquire({
        keyId: `${keyId}#mcp-tools`,
        limits: { requestsPerMinute: callsPerMinute },
        tokens: 0,
        nowMs,
        leaseMs: TOOL_CALL_LEASE_MS,
      });
    } catch (error) {
      // The shared store is down: the same choice as for requests (--redis-failure-mode).
      this.options.logger.warn('tool call rate limit unavailable', { key: keyId, mode: this.options.failureMode, error });
      return this.options.failureMode === 'open' ? undefined : TOOL_CALL_LEASE_MS;
    }
    if (!outcome.admitted) return outcome.retryAfterMs;
    outcome.grant.settle(undefined, nowMs);
    return undefined;
  }

  /**
   * A later model round of a hosted-tool loop takes one request from the key's requestsPerMinute
   * (the same log the request itself was admitted by), holding nothing: the request keeps its
   * concurrency slot, and its settlement logs every round's tokens.
   */
  async admitRound(key: RuntimeKey, round: number): Promise<void> {
    const perMinute = key.compiled.rateLimit?.requestsPerMinute;
    if (perMinute === undefined) return;
    const nowMs = this.options.clock.nowMs();
    let outcome: RateLimitOutcome;
    try {
      outcome = await this.options.rateLimiter.acquire({
        keyId: key.id,
        limits: { requestsPerMinute: perMinute },
        tokens: 0,
        nowMs,
        leaseMs: TOOL_CALL_LEASE_MS,
      });
    } catch (error) {
      this.options.logger.warn('rate limit unavailable for a hosted tool round', { key: key.id, mode: this.options.failureMode, error });
      if (this.options.failureMode === 'open') return;
      throw governanceUnavailableError(`Round ${round} of the hosted tool loop`);
    }
    if (!outcome.admitted) {
      this.options.metrics.rateLimitRefused(key.id, outcome.refused);
      throw roundRateLimitedError(key, round, perMinute, outcome.retryAfterMs);
    }
    outcome.grant.settle(undefined, nowMs);
  }

  /** A realtime session: realtime-session-admission.ts. */
  admitSession(request: SessionAdmissionRequest): Promise<SessionAdmission> {
    return admitRealtimeSession(this.options, request);
  }

  admit(admission: AdmissionRequest): Admission | Promise<Admission> {
    const { key, route } = admission;
    const limits = key.compiled.rateLimit;
    const limited = hasRateLimit(limits);
    const budgets = key.compiled.budgetIds.length > 0 ? this.options.budgets.resolve(key.compiled.budgetIds) : NO_BUDGETS;
    if (!limited && budgets.length === 0) return UNGOVERNED;

    const nowMs = this.options.clock.nowMs();
    const estimate = estimateRequest(key, route, admission.request, promptCounterOf(budgets));
    if (estimate.unpriced.length > 0) {
      const blocking = budgets.filter((budget) => budget.enforcement === 'Block');
      if (blocking.length > 0) {
        this.options.metrics.priceUnknownRefused(key.id, route.id);
        throw priceUnknownError(key, blocking, estimate.unpriced);
      }
    }

    let rate: Decided<RateLimitOutcome> | undefined;
    let budget: Decided<BudgetReserveOutcome> | undefined;
    try {
      rate = limited
        ? this.options.rateLimiter.acquire({ keyId: key.id, limits, tokens: estimate.tokens, nowMs, leaseMs: estimate.leaseMs })
        : undefined;
    } catch (error) {
      return this.unavailable(error, key, route, budgets, estimate, undefined);
    }
    try {
      budget =
        budgets.length > 0
          ? this.options.ledger.reserve({ budgets, estimateNanos: estimate.costNanos, nowMs, leaseMs: estimate.leaseMs })
          : undefined;
    } catch (error) {
      return this.unavailable(error, key, route, budgets, estimate, isPromise(rate) ? undefined : rate);
    }
    if (isPromise(rate) || isPromise(budget)) return this.decideLater(key, route, budgets, estimate, nowMs, rate, budget);
    return this.decide(key, budgets, estimate, nowMs, rate, budget);
  }

  private async decideLater(
    key: RuntimeKey,
    route: RuntimeRoute,
    budgets: readonly CompiledBudget[],
    estimate: RequestEstimate,
    nowMs: number,
    rate: Decided<RateLimitOutcome> | undefined,
    budget: Decided<BudgetReserveOutcome> | undefined,
  ): Promise<Admission> {
    const [rateResult, budgetResult] = await Promise.allSettled([rate, budget]);
    const rateOutcome = rateResult.status === 'fulfilled' ? rateResult.value : undefined;
    const budgetOutcome = budgetResult.status === 'fulfilled' ? budgetResult.value : undefined;
    const failure =
      rateResult.status === 'rejected' ? rateResult.reason : budgetResult.status === 'rejected' ? budgetResult.reason : undefined;
    if (failure !== undefined) {
      if (budgetOutcome?.admitted) budgetOutcome.reservation.settle(undefined, nowMs);
      return this.unavailable(failure, key, route, budgets, estimate, rateOutcome);
    }
    return this.decide(key, budgets, estimate, nowMs, rateOutcome, budgetOutcome);
  }

  private decide(
    key: RuntimeKey,
    _budgets: readonly CompiledBudget[],
    estimate: RequestEstimate,
    nowMs: number,
    rate: RateLimitOutcome | undefined,
    budget: BudgetReserveOutcome | undefined,
  ): Admission {
    const headers = rate === undefined ? undefined : rateLimitHeaders(rate.state);
    if (rate !== undefined && !rate.admitted) {
      if (budget?.admitted) budget.reservation.settle(undefined, nowMs);
      this.options.metrics.rateLimitRefused(key.id, rate.refused);
      throw rateLimitedError(key, rate.refused, rate.limit, rate.retryAfterMs, estimate.tokens, headers);
    }
    if (budget !== undefined && !budget.admitted) {
      let refusedHeaders = headers;
      if (rate?.admitted) {
        rate.grant.cancel(nowMs);
        refusedHeaders = rateLimitHeaders(withoutThisRequest(rate.state, estimate.tokens));
      }
      this.options.metrics.budgetRefused(key.id, budget.exhausted.id);
      throw budgetExceededError(budget.exhausted, budget.spentOut, nowMs, refusedHeaders);
    }
    let answerHeaders = headers;
    if (budget !== undefined && budget.warnings.length > 0) {
      answerHeaders = { ...headers, [BUDGET_WARNING_HEADER]: budget.warnings.map((b) => b.id).join(', ') };
      for (const warned of budget.warnings) this.warn(key, warned, nowMs);
    }
    const grant = rate?.grant;
    const reservation = budget?.reservation;
    const clock = this.options.clock;
    return {
      ...(answerHeaders === undefined ? {} : { headers: answerHeaders }),
      settle(usage, details?: SettlementDetails) {
        const settledAt = clock.nowMs();
        const lost = usage === undefined && details?.usageLost === true;
        grant?.settle(usage !== undefined ? usage.inputTokens + usage.outputTokens : lost ? estimate.tokens : undefined, settledAt);
        reservation?.settle(usage !== undefined ? details?.costNanos : lost ? estimate.costNanos : undefined, settledAt);
      },
    };
  }

  /** Redis could not answer: admit unchecked (open) or refuse (closed), and say so. */
  private unavailable(
    error: unknown,
    key: RuntimeKey,
    route: RuntimeRoute,
    budgets: readonly CompiledBudget[],
    estimate: RequestEstimate,
    rate: RateLimitOutcome | undefined,
  ): Admission {
    if (!(error instanceof SharedStoreUnavailableError)) throw error;
    const nowMs = this.options.clock.nowMs();
    if (rate?.admitted) rate.grant.cancel(nowMs);
    const mode = this.options.failureMode;
    this.options.metrics.decidedDegraded(mode);
    if (mode === 'closed') {
      this.options.logger.warn('request refused: Redis unreachable and --redis-failure-mode is closed', {
        key: key.id,
        route: route.id,
        reason: error.message,
      });
      throw governanceUnavailableError(budgets.length > 0 ? 'Rate limits and budgets' : 'Rate limits');
    }
    this.options.logger.warn(
      'request admitted without rate limits or budget reservation: Redis unreachable and --redis-failure-mode is open',
      { key: key.id, route: route.id, reason: error.message },
    );
    if (budgets.length === 0) return UNGOVERNED;
    // Spend is still charged (the ledger queues it until Redis answers again); only the check was skipped.
    const ledger = this.options.ledger;
    const clock = this.options.clock;
    return {
      settle(usage, details) {
        const cost = usage !== undefined ? details?.costNanos : details?.usageLost === true ? estimate.costNanos : undefined;
        if (cost !== undefined && cost > 0n) void ledger.charge(budgets, cost, clock.nowMs());
      },
    };
  }

  private warn(key: RuntimeKey, budget: CompiledBudget, nowMs: number): void {
    this.options.metrics.budgetWarned(key.id, budget.id);
    const period = accountKey(budget.id, budgetPeriodStartMs(budget.period, nowMs));
    if (this.warnedPeriods.has(period)) return;
    this.warnedPeriods.add(period);
    this.options.logger.warn('Warn budget exceeded: requests are flagged, not refused', {
      budget: budget.id,
      key: key.id,
      period: budget.period,
      periodStart: new Date(budgetPeriodStartMs(budget.period, nowMs)).toISOString(),
    });
  }
}
