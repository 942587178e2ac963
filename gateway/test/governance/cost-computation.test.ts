// Usage x price -> nano-dollars, exactly: each token class at its price, one rounding up per request.
import { describe, expect, it } from '@jest/globals';
import type { CompiledPricing, Usage } from '@switchyard/compiler';
import { computeCostNanos, estimateCostNanos, formatCostHeader } from '../../src/governance/cost/compute-cost.js';

const usage = (input: number, output: number, cached = 0, cacheWrite = 0, reasoning = 0): Usage => ({
  inputTokens: input,
  outputTokens: output,
  cachedInputTokens: cached,
  cacheWriteTokens: cacheWrite,
  reasoningTokens: reasoning,
});

// gpt-4o: $2.50 in, $1.25 cached, $10 out
const GPT_4O: CompiledPricing = {
  inputPerMillionNanos: '2500000000',
  cachedInputPerMillionNanos: '1250000000',
  outputPerMillionNanos: '10000000000',
  source: 'catalog',
};
// claude-sonnet-4-5: $3 in, $0.30 cache read, $3.75 cache write, $15 out
const SONNET: CompiledPricing = {
  inputPerMillionNanos: '3000000000',
  cachedInputPerMillionNanos: '300000000',
  cacheWritePerMillionNanos: '3750000000',
  outputPerMillionNanos: '15000000000',
  source: 'catalog',
};
const NO_CACHE_PRICES: CompiledPricing = { inputPerMillionNanos: '1000000000', outputPerMillionNanos: '2000000000', source: 'override' };

describe('computeCostNanos', () => {
  it.each<[string, Usage, CompiledPricing, bigint]>([
    // 1000 * 2.50 + 500 * 10 = 2500 + 5000 micro-units -> $0.0075
    ['input and output', usage(1000, 500), GPT_4O, 7_500_000n],
    // (1000 - 400) * 2.50 + 400 * 1.25 + 500 * 10 = 1500 + 500 + 5000 -> $0.007
    ['cached input at the cached price', usage(1000, 500, 400), GPT_4O, 7_000_000n],
    // reasoning is part of output: same as 500 output
    ['reasoning inside output', usage(1000, 500, 0, 0, 300), GPT_4O, 7_500_000n],
    // (2000 - 1000 - 500) * 3 + 1000 * 0.30 + 500 * 3.75 + 100 * 15 = 1500 + 300 + 1875 + 1500 -> $0.005175
    ['cache reads and writes', usage(2000, 100, 1000, 500), SONNET, 5_175_000n],
    // cached and cache-write default to the input price
    ['unpriced cache classes default to input', usage(1000, 10, 300, 200), NO_CACHE_PRICES, 1_020_000n],
    // 1 token at $2.50/M = 2500 nanos exactly
    ['one token', usage(1, 0), GPT_4O, 2_500n],
    ['nothing', usage(0, 0), GPT_4O, 0n],
  ])('%s', (_label, used, pricing, expected) => {
    expect(computeCostNanos(used, pricing)).toBe(expected);
  });

  it('rounds up once per request, to the next nano-dollar', () => {
    // $0.000000075 per million tokens: 1 token costs 0.000075 nanos -> 1; 20 000 tokens 1.5 -> 2
    const cheap: CompiledPricing = { inputPerMillionNanos: '75', outputPerMillionNanos: '0', source: 'override' };
    expect(computeCostNanos(usage(1, 0), cheap)).toBe(1n);
    expect(computeCostNanos(usage(20_000, 0), cheap)).toBe(2n);
    expect(computeCostNanos(usage(40_000, 0), cheap)).toBe(3n);
    // Rounded once over the sum, not per token class: 10 000 input + 10 000 output at 75 -> 1.5 -> 2, not 1 + 1.
    const both: CompiledPricing = { inputPerMillionNanos: '75', outputPerMillionNanos: '75', source: 'override' };
    expect(computeCostNanos(usage(10_000, 10_000), both)).toBe(2n);
  });

  it('never charges negative uncached input when a provider reports more cached than total', () => {
    expect(computeCostNanos(usage(100, 0, 150), GPT_4O)).toBe(187_500n);
  });

  it('stays exact far beyond 2^53 nano-dollars', () => {
    const pricey: CompiledPricing = { inputPerMillionNanos: '999999999999', outputPerMillionNanos: '999999999999', source: 'override' };
    expect(computeCostNanos(usage(2_000_000_000, 2_000_000_000), pricey)).toBe(3_999_999_999_996_000n);
  });
});

describe('estimateCostNanos', () => {
  it('prices prompt and output tokens at the given bounds', () => {
    expect(estimateCostNanos(100, 50, { input: 3_000_000_000n, output: 15_000_000_000n })).toBe(1_050_000n);
  });
});

describe('x-switchyard-cost-usd', () => {
  it.each<[bigint, string]>([
    [7_500_000n, '0.0075'],
    [2_500n, '0.0000025'],
    [1n, '0.000000001'],
    [0n, '0'],
    [12_340_000_000n, '12.34'],
  ])('%s nanos -> %s', (nanos, text) => {
    expect(formatCostHeader(nanos)).toBe(text);
  });
});
