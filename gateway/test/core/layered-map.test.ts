// The digest index of a table applied by deltas is a LayeredMap: it must answer like a plain Map
// given the same changes, whether the changes sit in a layer or were folded into a fresh Map, and
// never change a map an older table still holds.
import { describe, expect, it } from '@jest/globals';
import { LayeredMap } from '../../src/table/layered-map.js';

/** Sorted entries as one string: jest's deep equality over thousands of entries is slow. */
function contents(map: ReadonlyMap<string, number>): string {
  return JSON.stringify([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

describe('LayeredMap', () => {
  it.each([
    ['small batches (stays layered)', 20, 3],
    ['large batches (folds into a plain Map)', 6, 600],
  ])('answers like a plain Map after random changes: %s', (_name, rounds, batch) => {
    let seed = 17;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const initial = new Map<string, number>();
    for (let i = 0; i < 5000; i++) initial.set(`k${i}`, i);
    let layered: ReadonlyMap<string, number> = initial;
    let plain = new Map(initial);
    const history: Array<{ map: ReadonlyMap<string, number>; expected: string }> = [];
    for (let round = 0; round < rounds; round++) {
      const changes = new Map<string, number | undefined>();
      for (let i = 0; i < batch; i++) {
        const key = `k${random(6000)}`;
        changes.set(key, random(4) === 0 ? undefined : round * 10_000 + i);
      }
      history.push({ map: layered, expected: contents(layered) });
      layered = LayeredMap.update(layered, changes);
      plain = new Map(plain);
      for (const [key, value] of changes) {
        if (value === undefined) plain.delete(key);
        else plain.set(key, value);
      }
      expect(layered.size).toBe(plain.size);
      expect(contents(layered)).toBe(contents(plain));
      for (let probe = 0; probe < 200; probe++) {
        const key = `k${random(6000)}`;
        expect([layered.get(key), layered.has(key)]).toEqual([plain.get(key), plain.has(key)]);
      }
      expect([...layered.keys()].length).toBe(plain.size);
      expect(JSON.stringify([...layered.values()].sort())).toBe(JSON.stringify([...plain.values()].sort()));
    }
    // Older versions are untouched by the later changes.
    for (const { map, expected } of history) expect(contents(map)).toBe(expected);
  });

  it('keeps the base when there is nothing to change', () => {
    const base = new Map([['a', 1]]);
    expect(LayeredMap.update(base, new Map())).toBe(base);
  });
});
