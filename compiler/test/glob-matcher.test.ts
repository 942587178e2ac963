import { describe, expect, it } from '@jest/globals';
import { globMatches, globToRegExpSource } from '../src/index.js';

describe('allowedModels globs', () => {
  it.each([
    ['gpt-4o', '^gpt\\-4o$'],
    ['claude-*', '^claude\\-.*$'],
    ['*', '^.*$'],
    ['meta/llama-3.1*', '^meta\\/llama\\-3\\.1.*$'],
  ])('%s compiles to %s', (glob, source) => {
    expect(globToRegExpSource(glob)).toBe(source);
  });

  it.each([
    ['claude-*', 'claude-sonnet-4-5', true],
    ['claude-*', 'claude-', true],
    ['claude-*', 'my-claude-x', false],
    ['gpt-4o', 'gpt-4o-mini', false],
    ['gpt-4o*', 'gpt-4o-mini', true],
    ['gpt-4.1', 'gpt-441', false],
    ['*-mini', 'gpt-4o-mini', true],
    ['meta/*', 'meta/llama/3', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
  ])('%s matches %s: %s', (glob, name, expected) => {
    expect(globMatches(glob, name)).toBe(expected);
  });
});
