// The linear-time subset a GuardrailPolicy regex must stay in: table-driven, each refused
// pattern with the construct its message names.
import { describe, expect, it } from '@jest/globals';
import { unsafeRegexReason } from '../src/values/safe-regex.js';

describe('unsafeRegexReason', () => {
  it.each([
    'ACME-[0-9]{6}',
    '\\bproject\\s+falcon\\b',
    '[A-Z]{2}-\\d+',
    '(?:ab|cd)',
    '(?:ab|cd)?x',
    '(?<tag>[a-z]+):',
    '\\p{Lu}{2,5}',
    '[(+*]+x',
    'a{2}b*',
    '(?:foo){3}',
    'colou?r',
    '\\d+-\\d+',
  ])('accepts %s', (pattern) => {
    expect(unsafeRegexReason(pattern)).toBeUndefined();
  });

  it.each<[string, string]>([
    ['(a+)+$', 'repeats a group that holds a quantifier'],
    ['(a|aa)*b', 'repeats a group that holds an alternation'],
    ['(?:\\d{2})+', 'repeats a group that holds a quantifier'],
    ['((ab)*c)+', 'repeats a group that holds a quantifier'],
    ['(x+y)+z', 'repeats a group that holds a quantifier'],
    ['(a)\\1', 'backreference'],
    ['(?<w>a)\\k<w>', 'named backreference'],
    ['foo(?=bar)', 'lookaround'],
    ['(?<!x)y', 'lookaround'],
    ['\\d+\\d*', 'directly follows another unbounded quantifier'],
    ['.*.*=', 'directly follows another unbounded quantifier'],
  ])('refuses %s naming the construct', (pattern, phrase) => {
    expect(unsafeRegexReason(pattern)).toContain(phrase);
  });
});
