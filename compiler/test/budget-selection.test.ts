import { describe, expect, it } from '@jest/globals';
import { selectorMatches, type LabelSelector, type LabelSelectorRequirement } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { budget, keySecret, virtualKey } from './support/manifests.js';

describe('label selectors', () => {
  const labels = { team: 'payments', customer: 'acme', tier: 'gold' };
  it.each<[string, LabelSelector, boolean]>([
    ['empty selector', {}, true],
    ['matching label', { matchLabels: { team: 'payments' } }, true],
    ['two matching labels', { matchLabels: { team: 'payments', customer: 'acme' } }, true],
    ['one label off', { matchLabels: { team: 'payments', customer: 'globex' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] }, true],
    ['In missing label', { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] }, false],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['free'] }] }, true],
    ['NotIn excluded', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] }, false],
    ['NotIn absent label', { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'customer', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'customer', operator: 'DoesNotExist' }] }, false],
    ['labels and expressions', { matchLabels: { team: 'payments' }, matchExpressions: [{ key: 'region', operator: 'Exists' }] }, false],
  ])('%s', (_name, selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });
});

describe('budget selection', () => {
  it('puts the ids of every budget selecting a key on the key, within the budget namespace only', () => {
    const { table, diagnostics } = compile({
      virtualKeys: [
        virtualKey({ name: 'checkout', namespace: 'ai', labels: { team: 'payments', customer: 'acme' } }),
        virtualKey({ name: 'refunds', namespace: 'ai', labels: { team: 'payments' } }),
        virtualKey({ name: 'search', namespace: 'ai', labels: { team: 'search' } }),
        virtualKey({ name: 'elsewhere', namespace: 'other', labels: { team: 'payments' } }),
      ],
      budgets: [
        budget({ name: 'payments-monthly', namespace: 'ai' }, { selector: { matchLabels: { team: 'payments' } }, limit: '500.00' }),
        budget(
          { name: 'acme', namespace: 'ai' },
          { selector: { matchLabels: { customer: 'acme' } }, limit: '50', period: 'Daily', enforcement: 'Warn' },
        ),
        budget({ name: 'everything', namespace: 'ai' }, { selector: {}, limit: '1000' }),
      ],
      secrets: [keySecret('checkout', 'ai'), keySecret('refunds', 'ai'), keySecret('search', 'ai'), keySecret('elsewhere', 'other')],
    });
    expect(Object.fromEntries(table.keys.map((k) => [k.id, k.budgetIds]))).toEqual({
      'ai/checkout': ['ai/acme', 'ai/everything', 'ai/payments-monthly'],
      'ai/refunds': ['ai/everything', 'ai/payments-monthly'],
      'ai/search': ['ai/everything'],
      'other/elsewhere': [],
    });
    expect(table.budgets).toEqual([
      {
        id: 'ai/acme',
        namespace: 'ai',
        name: 'acme',
        generation: 1,
        limitNanos: '50000000000',
        period: 'Daily',
        enforcement: 'Warn',
        reservation: 'Strict',
      },
      {
        id: 'ai/everything',
        namespace: 'ai',
        name: 'everything',
        generation: 1,
        limitNanos: '1000000000000',
        period: 'Monthly',
        enforcement: 'Block',
        reservation: 'Strict',
      },
      {
        id: 'ai/payments-monthly',
        namespace: 'ai',
        name: 'payments-monthly',
        generation: 1,
        limitNanos: '500000000000',
        period: 'Monthly',
        enforcement: 'Block',
        reservation: 'Strict',
      },
    ]);
    expect(conditionOf(diagnostics, 'Budget', 'ai/payments-monthly', 'Accepted')?.message).toBe('covers 2 VirtualKeys of namespace ai');
  });

  it('does not select keys that were left out of the table', () => {
    const { table } = compile({
      virtualKeys: [virtualKey({ name: 'no-secret', labels: { team: 'x' } })],
      budgets: [budget({ name: 'b' }, { selector: { matchLabels: { team: 'x' } } })],
    });
    expect(table.keys).toEqual([]);
    expect(table.budgets.map((b) => b.id)).toEqual(['default/b']);
  });

  it('rejects a budget whose selector is malformed instead of failing the whole compile', () => {
    const malformed = budget({ name: 'broken' }, { selector: { matchExpressions: { key: 'team', operator: 'Exists' } as unknown as [] } });
    const { table, diagnostics } = compile({
      virtualKeys: [virtualKey({ name: 'a', labels: { team: 'x' } })],
      budgets: [malformed, budget({ name: 'fine' }, { selector: { matchLabels: { team: 'x' } } })],
      secrets: [keySecret('a')],
    });
    expect(table.budgets.map((b) => b.id)).toEqual(['default/fine']);
    expect(table.keys[0]?.budgetIds).toEqual(['default/fine']);
    expect(conditionOf(diagnostics, 'Budget', 'default/broken', 'Accepted')).toEqual({
      type: 'Accepted',
      status: 'False',
      reason: 'Invalid',
      message: 'spec.selector.matchExpressions must be a list',
    });
  });

  it.each<[string, LabelSelector, string]>([
    [
      'matchLabels is a list',
      { matchLabels: ['team'] as unknown as Record<string, string> },
      'spec.selector.matchLabels must be a map of strings',
    ],
    [
      'a matchLabels value is a number',
      { matchLabels: { team: 5 as unknown as string } },
      'spec.selector.matchLabels.team must be a string',
    ],
    [
      'a requirement has no key',
      { matchExpressions: [{ operator: 'Exists' } as unknown as LabelSelectorRequirement] },
      'spec.selector.matchExpressions[0] needs a string key and a list of string values',
    ],
    [
      'values is a string',
      { matchExpressions: [{ key: 'a', operator: 'In', values: 'x' as unknown as string[] }] },
      'spec.selector.matchExpressions[0] needs a string key and a list of string values',
    ],
  ])('names the problem when %s', (_name, selector, message) => {
    expect(() => selectorMatches(selector, {})).toThrow(message);
  });
});
