// The weighted picker and backend selection: shares follow weights, exclusions are honoured,
// tiers are tried in order, retries prefer untried backends.
import { describe, expect, it } from '@jest/globals';
import { selectBackend } from '../../src/pipeline/route.js';
import { chooseTiers, type RequestFeatures } from '../../src/table/request-features.js';
import { backoffDelayMs } from '../../src/pipeline/backoff.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { createWeightedPicker } from '../../src/table/weighted-picker.js';
import { TableHolder } from '../../src/table/table-holder.js';
import type { RuntimeBackend, RuntimeRoute } from '../../src/table/runtime-table.js';
import { compiledBackend, compiledRoute, routingTable } from './table-fixtures.js';

/** A request no rule or capability singles out. */
const PLAIN: RequestFeatures = {
  tags: new Set(),
  metadata: {},
  promptTokens: 10,
  maxOutputTokens: undefined,
  outputTokens: () => 10,
  hasTools: false,
  hasImages: false,
  jsonSchema: false,
  reasoning: false,
  frontDoor: 'openai',
  keyLabels: {},
  conversation: undefined,
  contextTokens: () => 10,
};

function pick(
  route: RuntimeRoute,
  tried: ReadonlySet<RuntimeBackend>,
  avoid: ReadonlySet<RuntimeBackend>,
  now: number,
  random: () => number,
): RuntimeBackend | undefined {
  return selectBackend(chooseTiers(route, PLAIN), PLAIN, tried, avoid, now, random)?.backend;
}

/** A deterministic sweep of [0, 1) so shares come out exact. */
function sweep(n: number): () => number {
  let i = 0;
  return () => (i++ % n) / n;
}

describe('weighted choice', () => {
  it('splits picks exactly by weight over a uniform sweep', () => {
    const picker = createWeightedPicker(['a', 'b', 'c'], (x) => ({ a: 5, b: 3, c: 2 })[x] ?? 0);
    const random = sweep(100);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const item = picker.pick(random);
      counts[item] = (counts[item] ?? 0) + 1;
    }
    expect(counts).toEqual({ a: 50, b: 30, c: 20 });
  });

  it('renormalizes over the entries left after exclusions', () => {
    const picker = createWeightedPicker(['a', 'b', 'c'], (x) => ({ a: 5, b: 3, c: 2 })[x] ?? 0);
    const random = sweep(50);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      const item = picker.pickExcluding((x) => x === 'a', random) ?? 'none';
      counts[item] = (counts[item] ?? 0) + 1;
    }
    expect(counts).toEqual({ b: 30, c: 20 });
    expect(picker.pickExcluding(() => true)).toBeUndefined();
  });

  it('rejects weights of 0 (drained entries are left out before)', () => {
    expect(() => createWeightedPicker(['a'], () => 0)).toThrow(/weight > 0/);
  });

  it('selects by tier, skips ejected backends and prefers untried ones on retry', () => {
    const table = new TableHolder(createProviderRegistry()).load(
      routingTable([
        compiledRoute('r', [
          compiledBackend('p0', { priority: 0 }),
          compiledBackend('p1a', { priority: 1 }),
          compiledBackend('p1b', { priority: 1 }),
        ]),
      ]),
    );
    const route = table.routes.get('default/r');
    if (route === undefined) throw new Error('route missing');
    const byName = (name: string): RuntimeBackend =>
      route.tiers.flatMap((t) => t.backends.items).find((b) => b.name === name) as RuntimeBackend;
    const now = Date.now();
    const none = new Set<RuntimeBackend>();
    expect(pick(route, none, none, now, Math.random)?.name).toBe('p0');
    // p0 tried: the next tier serves.
    expect(pick(route, new Set([byName('p0')]), none, now, () => 0)?.name).toBe('p1a');
    // Everything tried: back to the first tier.
    expect(pick(route, new Set([byName('p0'), byName('p1a'), byName('p1b')]), none, now, () => 0)?.name).toBe('p0');
    // p0 ejected: tier 1 serves a first attempt.
    byName('p0').health.recordFailure({ consecutiveFailures: 1, ejectionTimeMs: 10_000 }, now);
    expect(pick(route, none, none, now, () => 0.99)?.name).toBe('p1b');
    // All ejected or avoided: nothing.
    expect(pick(route, none, new Set([byName('p1a'), byName('p1b')]), now, Math.random)).toBeUndefined();
  });

  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 500],
    [9, 500],
  ])('bounds backoff before retry %i by min(max, initial * 2^(n-1)) with full jitter', (retry, bound) => {
    const policy = { attempts: 10, initialBackoffMs: 100, maxBackoffMs: 500, on: [] };
    expect(backoffDelayMs(policy, retry, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, retry, () => 0.999999)).toBeCloseTo(bound, 2);
  });
});
