// A ModelRoute's `spec.cache` through the standalone path (schema validation, CEL twins,
// compile): defaults, the ttl bounds, and the scope enum. No `cache` means no cache.

import { describe, expect, it } from '@jest/globals';
import { CRD_DEFAULTS, loadCrdSchemas, type ModelRouteSpec } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { crdDir, route } from './support/manifests.js';

const schemas = loadCrdSchemas(crdDir);
const mockBackends = [{ name: 'm', provider: 'mock' as const, model: 'm' }];

function compileCache(cache: unknown) {
  const spec = { backends: mockBackends, ...(cache === undefined ? {} : { cache }) } as Partial<ModelRouteSpec>;
  const { table, diagnostics } = compile({ schemas, routes: [route({ name: 'r' }, spec)] });
  return { compiled: table.routes['default/r'], accepted: conditionOf(diagnostics, 'ModelRoute', 'default/r', 'Accepted') };
}

describe('route cache policy compiles', () => {
  const good: { name: string; cache: unknown; expected: unknown }[] = [
    { name: 'absent: no cache', cache: undefined, expected: undefined },
    { name: 'ttl only: scope defaults to VirtualKey', cache: { ttl: '10m' }, expected: { ttlMs: 600_000, scope: 'VirtualKey' } },
    { name: 'namespace scope', cache: { ttl: '1h', scope: 'Namespace' }, expected: { ttlMs: 3_600_000, scope: 'Namespace' } },
    { name: 'lower bound 1s', cache: { ttl: '1s' }, expected: { ttlMs: 1000, scope: 'VirtualKey' } },
    { name: 'upper bound 24h', cache: { ttl: '24h' }, expected: { ttlMs: 86_400_000, scope: 'VirtualKey' } },
    { name: 'compound duration', cache: { ttl: '1h30m', scope: 'VirtualKey' }, expected: { ttlMs: 5_400_000, scope: 'VirtualKey' } },
  ];
  it.each(good)('$name', ({ cache, expected }) => {
    const { compiled, accepted } = compileCache(cache);
    expect(accepted?.status).toBe('True');
    expect(compiled?.cache).toEqual(expected);
  });
});

describe('route cache policy rejects bad values with a clear message', () => {
  const bad: { name: string; cache: unknown; message: string }[] = [
    { name: 'ttl below 1s', cache: { ttl: '500ms' }, message: 'spec.cache.ttl: must be between 1s and 24h' },
    { name: 'ttl above 24h', cache: { ttl: '25h' }, message: 'spec.cache.ttl: must be between 1s and 24h' },
    { name: 'ttl zero', cache: { ttl: '0s' }, message: 'spec.cache.ttl: must be between 1s and 24h' },
    {
      name: 'ttl without unit',
      cache: { ttl: '600' },
      message: 'spec.cache.ttl: must be a duration: a number and a unit (ms, s, m, h), such as "250ms", "30s" or "1h30m"',
    },
    { name: 'ttl missing', cache: { scope: 'Namespace' }, message: 'spec.cache.ttl: is required' },
    { name: 'unknown scope', cache: { ttl: '1m', scope: 'Global' }, message: 'spec.cache.scope: must be one of: VirtualKey, Namespace' },
    { name: 'unknown field', cache: { ttl: '1m', similarity: 0.9 }, message: 'spec.cache.similarity: unknown field' },
  ];
  it.each(bad)('$name', ({ cache, message }) => {
    const { compiled, accepted } = compileCache(cache);
    expect(compiled).toBeUndefined();
    expect(accepted).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(accepted?.message).toBe(message);
  });
});

describe('route cache policy default', () => {
  it('the CRD declares the compiler default scope', () => {
    const scope = schemas.schemaOf('ModelRoute').properties?.spec?.properties?.cache?.properties?.scope;
    expect(scope?.default).toBe(CRD_DEFAULTS.cacheScope);
  });
});
