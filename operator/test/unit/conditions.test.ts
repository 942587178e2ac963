import { describe, expect, it } from '@jest/globals';
import {
  changedConditions,
  conditionsEqual,
  mergeConditions,
  programmedCondition,
  readConditions,
  type Condition,
} from '../../src/reconcile/conditions.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-02-02T00:00:00Z';

function c(type: string, status: Condition['status'], reason = type, extra: Partial<Condition> = {}): Condition {
  return { type, status, reason, message: `${type} ${status}`, observedGeneration: 1, lastTransitionTime: T0, ...extra };
}

describe('mergeConditions', () => {
  it.each([
    [
      'keeps lastTransitionTime when the status stays',
      [c('Accepted', 'True')],
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'new text', observedGeneration: 2 },
      T0,
    ],
    [
      'moves lastTransitionTime when the status flips',
      [c('Accepted', 'True')],
      { type: 'Accepted', status: 'False', reason: 'Conflict', message: 'taken', observedGeneration: 2 },
      T1,
    ],
    ['stamps a new condition', [], { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok', observedGeneration: 1 }, T1],
  ] as const)('%s', (_name, existing, desired, transition) => {
    const [merged] = mergeConditions(existing, [desired], T1);
    expect(merged).toEqual({ ...desired, lastTransitionTime: transition });
  });

  it('keeps conditions of types it does not manage and drops managed ones no longer desired', () => {
    const merged = mergeConditions(
      [c('Exceeded', 'True'), c('PriceUnknown', 'True'), c('Accepted', 'True')],
      [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok' }],
      T1,
    );
    expect(merged.map((x) => x.type)).toEqual(['Accepted', 'Exceeded']);
  });

  it('truncates very long messages', () => {
    const [merged] = mergeConditions([], [{ type: 'Accepted', status: 'False', reason: 'Invalid', message: 'x'.repeat(10_000) }], T1);
    expect(merged?.message.length).toBe(4096);
  });
});

describe('condition comparison', () => {
  it('sees equal lists in any order as equal, and any field change as a change', () => {
    expect(conditionsEqual([c('A', 'True'), c('B', 'False')], [c('B', 'False'), c('A', 'True')])).toBe(true);
    expect(conditionsEqual([c('A', 'True')], [c('A', 'True', 'A', { observedGeneration: 2 })])).toBe(false);
    expect(conditionsEqual([c('A', 'True')], [c('A', 'True', 'A', { message: 'other' })])).toBe(false);
  });

  it('reports status and reason changes as news, message-only changes not', () => {
    const changed = changedConditions(
      [c('A', 'True'), c('B', 'False', 'X')],
      [c('A', 'True', 'A', { message: 'm' }), c('B', 'False', 'Y'), c('C', 'True')],
    );
    expect(changed.map((x) => x.type)).toEqual(['B', 'C']);
  });

  it('reads malformed status defensively', () => {
    expect(readConditions(undefined)).toEqual([]);
    expect(readConditions({ conditions: 'no' })).toEqual([]);
    expect(
      readConditions({
        conditions: [
          { type: 'A', status: 'Maybe' },
          { type: 'B', status: 'True' },
        ],
      }),
    ).toEqual([{ type: 'B', status: 'True', reason: '', message: '', lastTransitionTime: '' }]);
  });
});

describe('programmedCondition', () => {
  const trueAt = (generation: number) => c('Programmed', 'True', 'Programmed', { observedGeneration: generation });
  it.each([
    ['not accepted', { generation: 2, accepted: false, acknowledgedGeneration: 2, existing: trueAt(2) }, 'False', 'NotAccepted'],
    [
      'acknowledged at this generation',
      { generation: 2, accepted: true, acknowledgedGeneration: 2, existing: undefined },
      'True',
      'Programmed',
    ],
    [
      'acknowledged an older generation only',
      { generation: 3, accepted: true, acknowledgedGeneration: 2, existing: trueAt(2) },
      'Unknown',
      'Pending',
    ],
    [
      'no news after a restart: keeps True for the same generation',
      { generation: 2, accepted: true, acknowledgedGeneration: undefined, existing: trueAt(2) },
      'True',
      'Programmed',
    ],
    ['never acknowledged', { generation: 1, accepted: true, acknowledgedGeneration: undefined, existing: undefined }, 'Unknown', 'Pending'],
  ] as const)('%s', (_name, input, status, reason) => {
    expect(programmedCondition(input)).toMatchObject({ type: 'Programmed', status, reason, observedGeneration: input.generation });
  });
});
