import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from '../src/index.js';
import { writeCanonicalJson } from '../src/values/canonical-json.js';
import { seededRandom, type SeededRandom } from './support/seeded-random.js';

// The definition the table hash has always used, written the obvious way: the fast writer must
// produce exactly these bytes, or every table hash would change.
function referenceCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item: unknown) => (item === undefined ? 'null' : referenceCanonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${referenceCanonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

const STRINGS = [
  '',
  'a',
  'default/gpt-4o',
  'quote"inside',
  'back\\slash',
  'line\nbreak',
  'tab\t',
  '\u0000\u001f',
  'é ü ñ',
  '日本語',
  '😀',
  '\ud800 lone high',
  'lone low \udc00',
  '\u2028\u2029',
  '10',
  '2',
  '__proto__',
  'constructor',
];

function randomValue(random: SeededRandom, depth: number): unknown {
  const roll = random.int(depth > 3 ? 6 : 9);
  switch (roll) {
    case 0:
      return random.pick(STRINGS);
    case 1:
      return random.pick([0, -0, 1, -1, 1.5, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY]);
    case 2:
      return random.chance(0.5);
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return `${random.pick(STRINGS)}-${random.int(1000)}`;
    case 6:
    case 7: {
      const record: Record<string, unknown> = {};
      const size = random.int(6);
      for (let i = 0; i < size; i++) {
        const key = random.pick(STRINGS);
        if (key === '__proto__')
          Object.defineProperty(record, key, {
            value: randomValue(random, depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else record[key] = randomValue(random, depth + 1);
      }
      return record;
    }
    default:
      return Array.from({ length: random.int(5) }, () => randomValue(random, depth + 1));
  }
}

describe('canonical JSON', () => {
  it.each<[string, unknown, string]>([
    ['sorts keys at every level', { b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } }, '{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}'],
    ['drops undefined members', { a: undefined, b: 1 }, '{"b":1}'],
    ['writes undefined array items as null', [1, undefined, 2], '[1,null,2]'],
    ['sorts integer-like keys as strings, not numbers', { '10': 'ten', '2': 'two', a: 'a' }, '{"10":"ten","2":"two","a":"a"}'],
    ['escapes like JSON.stringify', { 'k"ey': 'va\\l\nue\u0001' }, '{"k\\"ey":"va\\\\l\\nue\\u0001"}'],
    ['escapes lone surrogates', '\ud800x', '"\\ud800x"'],
    ['keeps paired surrogates and other Unicode', 'é😀\u2028', '"é😀\u2028"'],
    ['writes non-finite numbers as null and -0 as 0', [Number.NaN, Number.NEGATIVE_INFINITY, -0, 1e21], '[null,null,0,1e+21]'],
    ['writes a top-level undefined as null', undefined, 'null'],
    ['writes empty containers', { a: {}, b: [] }, '{"a":{},"b":[]}'],
    ['keeps an own __proto__ member', JSON.parse('{"__proto__":{"x":1},"a":2}'), '{"__proto__":{"x":1},"a":2}'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
    expect(referenceCanonicalJson(value)).toBe(expected);
  });

  it('matches the reference definition on generated values', () => {
    const random = seededRandom(20261125);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(random, 0);
      expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
    }
  });

  it('streams in bounded chunks whose concatenation is the canonical JSON', () => {
    const big = {
      keys: Array.from({ length: 3000 }, (_, i) => ({ name: `key-${i}`, labels: { team: `t${i % 7}` }, budgetIds: [`b-${i % 5}`] })),
    };
    const chunks: string[] = [];
    writeCanonicalJson(big, (chunk) => chunks.push(chunk));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join('')).toBe(referenceCanonicalJson(big));
    // A chunk is flushed once it passes 32 KiB, after at most one more member.
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(64 * 1024);
  });

  it('throws for what JSON cannot hold', () => {
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });
});
