// The refusals governance answers with, as GatewayErrors every front door renders in its
// caller's format. Messages name the key and the budget (namespace/name), never amounts spent.
import { nextBudgetPeriodStartMs, secondsUntilBudgetReset, type CompiledBudget } from '@switchyard/compiler';
import { GatewayError } from '../errors/gateway-error.js';
import type { RuntimeKey } from '../table/runtime-table.js';
import type { UnpricedBackend } from './cost/request-estimate.js';
import type { RefusedLimit } from './rate-limit/rate-limiter.js';

function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export function rateLimitedError(
  key: RuntimeKey,
  refused: RefusedLimit,
  limit: number,
  retryAfterMs: number,
  estimateTokens: number,
  headers: Record<string, string> | undefined,
): GatewayError {
  const retryAfterSeconds = wholeSeconds(retryAfterMs);
  const all = { ...headers };
  let message: string;
  switch (refused) {
    case 'requests':
      message = `Rate limit reached for API key ${key.id}: ${limit} requests per minute. Try again in ${retryAfterSeconds}s.`;
      break;
    case 'tokens':
      message = `Rate limit reached for API key ${key.id}: ${limit} tokens per minute, and this request may use up to ${estimateTokens} (prompt estimate plus max output tokens). Try again in ${retryAfterSeconds}s, or lower max_tokens.`;
      break;
    case 'concurrency':
      message = `Rate limit reached for API key ${key.id}: at most ${limit} concurrent requests. Try again when one finishes.`;
      break;
    case 'tokens_exceed_limit':
      // Waiting never helps: tell SDKs not to retry.
      all['x-should-retry'] = 'false';
      message = `Request too large for API key ${key.id}: it may use up to ${estimateTokens} tokens (prompt estimate plus max output tokens), more than its limit of ${limit} tokens per minute. Lower max_tokens or shorten the prompt.`;
      return new GatewayError('rate_limited', message, { code: 'tokens_exceed_rate_limit', headers: all });
  }
  return new GatewayError('rate_limited', message, { code: 'rate_limit_exceeded', retryAfterSeconds, headers: all });
}

/** A later model round of a hosted-tool loop found no room under the key's requestsPerMinute. */
export function roundRateLimitedError(key: RuntimeKey, round: number, limit: number, retryAfterMs: number): GatewayError {
  const retryAfterSeconds = wholeSeconds(retryAfterMs);
  return new GatewayError(
    'rate_limited',
    `Rate limit reached for API key ${key.id}: ${limit} requests per minute, and every model round of the hosted tool loop counts as one; round ${round} was refused. Try again in ${retryAfterSeconds}s.`,
    { code: 'rate_limit_exceeded', retryAfterSeconds },
  );
}

export function budgetExceededError(
  budget: CompiledBudget,
  spentOut: boolean,
  nowMs: number,
  headers: Record<string, string> | undefined,
): GatewayError {
  const resetAt = nextBudgetPeriodStartMs(budget.period, nowMs);
  const resets = resetAt === undefined ? 'it does not reset (period Total)' : `it resets at ${new Date(resetAt).toISOString()}`;
  const message = spentOut
    ? `Budget ${budget.id} is exhausted for this period; ${resets}.`
    : `Budget ${budget.id} has too little left this period for this request's estimated cost (prompt plus max output tokens); lower max_tokens, or wait: ${resets}.`;
  const retryAfterSeconds = secondsUntilBudgetReset(budget.period, nowMs);
  return new GatewayError('budget_exceeded', message, {
    code: 'budget_exceeded',
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    headers: { ...headers, 'x-should-retry': 'false' },
  });
}

export function priceUnknownError(
  key: RuntimeKey,
  blockBudgets: readonly CompiledBudget[],
  unpriced: readonly UnpricedBackend[],
): GatewayError {
  const backends = unpriced.map((b) => `"${b.backend}" (${b.provider} ${b.model}) of route ${b.route}`).join(', ');
  return new GatewayError(
    'permission',
    `API key ${key.id} is under Block budget ${blockBudgets.map((b) => b.id).join(', ')}, and backend ${backends} has no price (no catalog price and no spec.backends[].pricing); requests that could be charged as free are refused.`,
    { code: 'price_unknown', param: 'model' },
  );
}

export function governanceUnavailableError(what: string): GatewayError {
  return new GatewayError(
    'no_backend',
    `${what} cannot be checked: the shared counter store (Redis) is unreachable and --redis-failure-mode is closed.`,
    {
      code: 'governance_unavailable',
      retryAfterSeconds: 1,
    },
  );
}
