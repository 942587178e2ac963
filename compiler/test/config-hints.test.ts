// The hints attached to schema errors: "did you mean" for a misspelt field (compared with the
// fields the schema knows at that level) and the accepted way to write a value YAML read as the
// wrong type. Each case goes through the CRD validator, as standalone mode and the operator do.

import { beforeAll, describe, expect, it } from '@jest/globals';
import { loadCrdSchemas, type CrdSchemas } from '../src/index.js';
import { closestName, editDistance } from '../src/values/edit-distance.js';
import { budget, crdDir, openaiBackend, route } from './support/manifests.js';

let schemas: CrdSchemas;
beforeAll(() => {
  schemas = loadCrdSchemas(crdDir);
});

type Patch = Record<string, unknown>;
const routeWith = (patch: Patch): unknown => {
  const base = route({ name: 'gpt-4o' }) as { spec: object };
  return { ...base, spec: { ...base.spec, ...patch } };
};
const backendWith = (patch: Patch): unknown => routeWith({ backends: [{ ...openaiBackend(), ...patch }] });
const mockWith = (mock: Patch): unknown => backendWith({ provider: 'mock', credentials: undefined, mock });

describe('schema error hints', () => {
  it.each<[string, unknown, string, string]>([
    [
      'baseUrl for baseURL',
      backendWith({ baseUrl: 'https://x.example' }),
      'spec.backends[0].baseUrl',
      'unknown field (did you mean "baseURL"?)',
    ],
    ['a dropped letter', backendWith({ credentails: [] }), 'spec.backends[0].credentails', 'unknown field (did you mean "credentials"?)'],
    ['swapped letters', routeWith({ modle: 'x' }), 'spec.modle', 'unknown field (did you mean "model"?)'],
    ['a top-level field', { ...(route({ name: 'r' }) as object), sepc: {} }, 'sepc', 'unknown field (did you mean "spec"?)'],
    [
      'a field of a nested object',
      mockWith({ latancy: '5ms' }),
      'spec.backends[0].mock.latancy',
      'unknown field (did you mean "latency"?)',
    ],
    ['a name close to nothing', routeWith({ colour: 'blue' }), 'spec.colour', 'unknown field'],
    [
      'failureRate as a number',
      mockWith({ failureRate: 0.5 }),
      'spec.backends[0].mock.failureRate',
      'must be an integer or a string (quote it: "0.5")',
    ],
    [
      'a number where a duration is wanted',
      mockWith({ latency: 250 }),
      'spec.backends[0].mock.latency',
      'must be a string, and must be a duration: a number and a unit (ms, s, m, h), such as "250ms", "30s" or "1h30m"',
    ],
    ['money as a number', budget({ name: 'b' }, { limit: 12.5 as unknown as string }), 'spec.limit', 'must be a string (quote it: "12.5")'],
    [
      'a quoted integer',
      routeWith({ defaultMaxTokens: '512' }),
      'spec.defaultMaxTokens',
      'must be an integer (write it without quotes: 512)',
    ],
    ['a quoted fraction where an integer is wanted', routeWith({ defaultMaxTokens: '1.5' }), 'spec.defaultMaxTokens', 'must be an integer'],
  ])('%s', (_name, object, field, message) => {
    const result = schemas.validate(object);
    expect(result.ok).toBe(false);
    expect(result.issues).toContainEqual({ field, message });
  });
});

describe('closestName', () => {
  it.each<[string, string[], string | undefined]>([
    ['baseUrl', ['name', 'provider', 'baseURL'], 'baseURL'],
    ['wieght', ['weight', 'height'], 'weight'],
    ['nmae', ['name', 'namespace'], 'name'],
    ['name', ['name'], undefined],
    ['xy', ['ab'], undefined],
    ['priorty', ['priority', 'pricing'], 'priority'],
    ['completelyDifferent', ['model', 'backends'], undefined],
  ])('%s among %j -> %s', (name, known, expected) => {
    expect(closestName(name, known)).toBe(expected);
  });

  it('counts insertions, deletions, substitutions and neighbour swaps as one edit each', () => {
    expect([editDistance('abc', 'abc'), editDistance('abc', 'abxc'), editDistance('abc', 'ac'), editDistance('abc', 'axc')]).toEqual([
      0, 1, 1, 1,
    ]);
    expect([editDistance('abcd', 'bacd'), editDistance('', 'abc'), editDistance('kitten', 'sitting')]).toEqual([1, 3, 3]);
  });
});
