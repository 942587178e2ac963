import { describe, expect, it } from '@jest/globals';
import { selectorMatches, type LabelSelector } from '../src/index.js';
import { KeyLabelIndex } from '../src/compile/key-label-index.js';
import { seededRandom } from './support/seeded-random.js';

interface Key {
  id: string;
  namespace: string;
  labels: Record<string, string>;
}

const keys: Key[] = [
  { id: 'ai/a', namespace: 'ai', labels: { team: 'payments', tier: 'gold', customer: 'acme' } },
  { id: 'ai/b', namespace: 'ai', labels: { team: 'payments', tier: 'free' } },
  { id: 'ai/c', namespace: 'ai', labels: { team: 'search', tier: 'silver', customer: 'globex' } },
  { id: 'ai/d', namespace: 'ai', labels: {} },
  { id: 'other/a', namespace: 'other', labels: { team: 'payments', tier: 'gold' } },
];

const selectedIds = (index: KeyLabelIndex<Key>, namespace: string, selector: LabelSelector): string[] =>
  index
    .select(namespace, selector)
    .map((key) => key.id)
    .sort();

const bruteForce = (all: readonly Key[], namespace: string, selector: LabelSelector): string[] =>
  all
    .filter((key) => key.namespace === namespace && selectorMatches(selector, key.labels))
    .map((key) => key.id)
    .sort();

describe('key label index', () => {
  const index = new KeyLabelIndex(keys);
  it.each<[string, LabelSelector, string[]]>([
    ['empty selector: every key of the namespace', {}, ['ai/a', 'ai/b', 'ai/c', 'ai/d']],
    ['one label', { matchLabels: { team: 'payments' } }, ['ai/a', 'ai/b']],
    ['two labels', { matchLabels: { team: 'payments', tier: 'gold' } }, ['ai/a']],
    ['a label value nobody has', { matchLabels: { team: 'nobody' } }, []],
    ['a label key nobody has', { matchLabels: { region: 'eu' } }, []],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] }, ['ai/a', 'ai/c']],
    ['In with a repeated value', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'gold'] }] }, ['ai/a']],
    ['In with a value nobody has', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['platinum'] }] }, []],
    [
      'NotIn keeps keys without the label',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['free'] }] },
      ['ai/a', 'ai/c', 'ai/d'],
    ],
    ['Exists', { matchExpressions: [{ key: 'customer', operator: 'Exists' }] }, ['ai/a', 'ai/c']],
    ['DoesNotExist', { matchExpressions: [{ key: 'customer', operator: 'DoesNotExist' }] }, ['ai/b', 'ai/d']],
    [
      'labels and expressions together',
      {
        matchLabels: { team: 'payments' },
        matchExpressions: [
          { key: 'tier', operator: 'NotIn', values: ['free'] },
          { key: 'customer', operator: 'Exists' },
        ],
      },
      ['ai/a'],
    ],
    ['a prototype property name is not a label', { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, []],
  ])('%s', (_name, selector, expected) => {
    expect(selectedIds(index, 'ai', selector)).toEqual(expected);
    expect(bruteForce(keys, 'ai', selector)).toEqual(expected);
  });

  it('selects nothing in a namespace without keys', () => {
    expect(selectedIds(index, 'empty', {})).toEqual([]);
  });

  it('selects exactly what testing every key would, on generated keys and selectors', () => {
    const random = seededRandom(7);
    const labelKeys = ['team', 'tier', 'customer', 'region'];
    const labelValues = ['a', 'b', 'c', 'd', 'e'];
    const generated: Key[] = Array.from({ length: 600 }, (_, i) => {
      const labels: Record<string, string> = {};
      for (const key of labelKeys) if (random.chance(0.7)) labels[key] = random.pick(labelValues);
      return { id: `ns-${i % 3}/k${i}`, namespace: `ns-${i % 3}`, labels };
    });
    const generatedIndex = new KeyLabelIndex(generated);
    const operators = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
    for (let i = 0; i < 400; i++) {
      const selector: LabelSelector = {};
      if (random.chance(0.6)) {
        selector.matchLabels = {};
        for (let n = random.int(3); n >= 0; n--) selector.matchLabels[random.pick(labelKeys)] = random.pick(labelValues);
      }
      if (random.chance(0.6)) {
        selector.matchExpressions = Array.from({ length: 1 + random.int(3) }, () => {
          const operator = random.pick(operators);
          const key = random.pick(labelKeys);
          return operator === 'In' || operator === 'NotIn'
            ? { key, operator, values: Array.from({ length: 1 + random.int(3) }, () => random.pick(labelValues)) }
            : { key, operator };
        });
      }
      const namespace = `ns-${random.int(4)}`;
      expect(selectedIds(generatedIndex, namespace, selector)).toEqual(bruteForce(generated, namespace, selector));
    }
  });
});
