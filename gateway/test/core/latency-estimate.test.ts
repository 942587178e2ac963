// The latency strategy's estimate per backend (peak-EWMA with decay), on explicit clocks: a slower
// answer replaces the estimate at once, faster ones pull it down, an estimate nobody renews halves
// every 5 s, and the first answer after a pause is blended with the decayed value.
import { describe, expect, it } from '@jest/globals';
import { BackendHealth } from '../../src/table/backend-health.js';

describe('latency estimate', () => {
  it('is 0 until measured, then the first sample', () => {
    const health = new BackendHealth();
    expect(health.latencyEstimateMs(1_000)).toBe(0);
    health.recordFirstByte(120, 1_000);
    expect(health.latencyEstimateMs(1_000)).toBe(120);
  });

  it('takes a slower answer at once (peak) and moves toward faster ones', () => {
    const health = new BackendHealth();
    health.recordFirstByte(100, 1_000);
    health.recordFirstByte(400, 1_010);
    expect(health.latencyEstimateMs(1_010)).toBe(400);
    // 10 ms later a fast answer barely moves it: the EWMA weight grows with time.
    health.recordFirstByte(10, 1_020);
    const soon = health.latencyEstimateMs(1_020);
    expect(soon).toBeGreaterThan(390);
    expect(soon).toBeLessThan(400);
  });

  it.each([
    [0, 400],
    [5_000, 200],
    [10_000, 100],
    [20_000, 25],
  ])('halves an unrenewed estimate every 5 s (%i ms later: %i)', (elapsed, expected) => {
    const health = new BackendHealth();
    health.recordFirstByte(400, 1_000);
    expect(health.latencyEstimateMs(1_000 + elapsed)).toBeCloseTo(expected, 6);
  });

  it('blends the first answer after a pause with the decayed estimate, not the old peak', () => {
    const health = new BackendHealth();
    health.recordFirstByte(400, 1_000);
    // 10 s later: decayed to 100; a 2 ms answer with weight e^-1 on the old value.
    health.recordFirstByte(2, 11_000);
    expect(health.latencyEstimateMs(11_000)).toBeCloseTo(100 * Math.exp(-1) + 2 * (1 - Math.exp(-1)), 6);
  });
});
