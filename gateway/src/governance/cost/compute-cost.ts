// Real usage -> money, in integer nano-dollars (bigint). Prices are per million tokens, so every
// product is summed exactly and divided once, rounding up: a request is never charged less than
// its true cost and at most one nano-dollar more.
import { formatNanosAsUsd, type CompiledPricing, type Usage } from '@switchyard/compiler';

const TOKENS_PER_PRICE_UNIT = 1_000_000n;

/** Per-million prices as bigints, parsed once per backend (see `pricesOf`). */
export interface TokenPrices {
  input: bigint;
  cachedInput: bigint;
  cacheWrite: bigint;
  cacheWrite1h: bigint;
  output: bigint;
}

const parsed = new WeakMap<CompiledPricing, TokenPrices>();

/** Cached-input and cache-write prices default to the input price, as the CRD documents. */
export function pricesOf(pricing: CompiledPricing): TokenPrices {
  let prices = parsed.get(pricing);
  if (prices === undefined) {
    const input = BigInt(pricing.inputPerMillionNanos);
    const cacheWrite = pricing.cacheWritePerMillionNanos === undefined ? input : BigInt(pricing.cacheWritePerMillionNanos);
    prices = {
      input,
      cachedInput: pricing.cachedInputPerMillionNanos === undefined ? input : BigInt(pricing.cachedInputPerMillionNanos),
      cacheWrite,
      cacheWrite1h: pricing.cacheWrite1hPerMillionNanos === undefined ? cacheWrite : BigInt(pricing.cacheWrite1hPerMillionNanos),
      output: BigInt(pricing.outputPerMillionNanos),
    };
    parsed.set(pricing, prices);
  }
  return prices;
}

function tokens(count: number): bigint {
  return Number.isSafeInteger(count) && count > 0 ? BigInt(count) : 0n;
}

function divideRoundingUp(numerator: bigint): bigint {
  return (numerator + TOKENS_PER_PRICE_UNIT - 1n) / TOKENS_PER_PRICE_UNIT;
}

/**
 * The cost of one request: uncached input (inputTokens minus cache reads and cache writes) at the
 * input price, cache reads at the cached-input price, cache writes at the cache-write price (those
 * the provider says were written for an hour at the one-hour price), output (reasoning included)
 * at the output price.
 */
export function computeCostNanos(usage: Usage, pricing: CompiledPricing): bigint {
  const prices = pricesOf(pricing);
  const cached = tokens(usage.cachedInputTokens);
  const written = tokens(usage.cacheWriteTokens);
  // Never more one-hour writes than writes, whatever an upstream reports.
  const written1h = tokens(Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens));
  const allInput = tokens(usage.inputTokens);
  const uncached = allInput > cached + written ? allInput - cached - written : 0n;
  const numerator =
    uncached * prices.input +
    cached * prices.cachedInput +
    (written - written1h) * prices.cacheWrite +
    written1h * prices.cacheWrite1h +
    tokens(usage.outputTokens) * prices.output;
  return divideRoundingUp(numerator);
}

/** An upper-bound cost for a reservation: every prompt token at the dearest input price. */
export function estimateCostNanos(promptTokens: number, outputTokens: number, prices: { input: bigint; output: bigint }): bigint {
  return divideRoundingUp(tokens(promptTokens) * prices.input + tokens(outputTokens) * prices.output);
}

/** `x-switchyard-cost-usd`: a decimal string of USD, at most nine decimals, no trailing zeros ("0.0000375"). */
export function formatCostHeader(nanos: bigint): string {
  return formatNanosAsUsd(nanos);
}

/** For Prometheus, whose samples are doubles: exact below 2^53 nano-dollars (about $9 million per series). */
export function nanosToUsdNumber(nanos: bigint): number {
  return Number(nanos) / 1e9;
}
