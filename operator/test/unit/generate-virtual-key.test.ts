import { describe, expect, it } from '@jest/globals';
import { generateVirtualKey } from '../../src/reconcile/generate-virtual-key.js';

describe('generateVirtualKey', () => {
  it('makes sk-sy- plus 40 base62 characters, different every time', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateVirtualKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^sk-sy-[A-Za-z0-9]{40}$/);
  });

  it('throws away bytes at or above 248 instead of folding them onto the first characters', () => {
    // 248..255 would map to A..H with a plain modulo; they must be skipped.
    let calls = 0;
    const random = (size: number) => {
      calls += 1;
      return calls === 1 ? Buffer.alloc(size, 250) : Buffer.from(Array.from({ length: size }, (_, i) => (i % 2 === 0 ? 255 : 61)));
    };
    expect(generateVirtualKey(random)).toBe(`sk-sy-${'9'.repeat(40)}`);
    expect(calls).toBe(3);
  });

  it('spreads characters evenly', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) for (const c of generateVirtualKey().slice(6)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (2_000 * 40) / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
  });
});
