import { describe, expect, it } from '@jest/globals';
import type { ObjectMeta } from '../src/index.js';
import { compareByAge, sortByAge } from '../src/compile/object-order.js';
import { seededRandom } from './support/seeded-random.js';

const object = (name: string, namespace: string | undefined, creationTimestamp?: string) => ({
  metadata: {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(creationTimestamp === undefined ? {} : { creationTimestamp }),
  } as ObjectMeta,
});
const ids = (objects: readonly { metadata: ObjectMeta }[]) => objects.map((o) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`);

describe('age order', () => {
  it('puts the older first, then namespace/name; no timestamp counts as the epoch', () => {
    const sorted = sortByAge([
      object('b', 'x', '2026-03-01T00:00:00Z'),
      object('a', 'x', '2026-03-01T00:00:00Z'),
      object('old', 'z', '2025-01-01T00:00:00+02:00'),
      object('unstamped', undefined),
      object('garbled', 'a', 'not a date'),
    ]);
    expect(ids(sorted)).toEqual(['a/garbled', 'default/unstamped', 'z/old', 'x/a', 'x/b']);
  });

  it('keeps input order for objects with the same age and id', () => {
    const first = object('same', 'ns', '2026-01-01T00:00:00Z');
    const second = object('same', 'ns', '2026-01-01T00:00:00Z');
    const sorted = sortByAge([first, second]);
    expect(sorted[0]).toBe(first);
    expect(sorted[1]).toBe(second);
  });

  it('sorts exactly as sorting with compareByAge, without touching its input', () => {
    const random = seededRandom(99);
    const stamps = [
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.500Z',
      '2026-01-01T01:00:00+01:00',
      '2025-12-31T23:59:59Z',
      'bad',
      undefined,
    ];
    const objects = Array.from({ length: 500 }, (_, _i) =>
      object(`o${random.int(40)}`, random.pick(['a', 'b', undefined]), random.pick(stamps)),
    );
    const before = [...objects];
    const sorted = sortByAge(objects);
    expect(objects).toEqual(before);
    const expected = [...objects].sort(compareByAge);
    expect(sorted.length).toBe(expected.length);
    sorted.forEach((entry, i) => {
      expect(entry).toBe(expected[i]);
    });
  });
});
