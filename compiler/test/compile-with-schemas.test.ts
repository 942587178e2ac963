// The operator may hand the compiler its CRD schemas: objects the API server would not have
// admitted (an older CRD, a hand-built input) are then rejected per object, not thrown.

import { describe, expect, it } from '@jest/globals';
import { loadCrdSchemas, type ModelRouteManifest } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { crdDir, keySecret, route, secret, virtualKey, withChange } from './support/manifests.js';

describe('compileRoutingTable with schemas', () => {
  const schemas = loadCrdSchemas(crdDir);

  it('rejects invalid objects with reason Invalid and compiles the rest, defaults applied', () => {
    const bad = withChange(route({ name: 'bad' }), (r: ModelRouteManifest) => {
      (r.spec.backends[0] as { weight?: number }).weight = -1;
    });
    const { table, diagnostics } = compile({
      schemas,
      routes: [bad, route({ name: 'good' }, { backends: [{ name: 'm', provider: 'mock', model: 'm' }] })],
      virtualKeys: [virtualKey({ name: 'k' }, { allowedModels: [] }), virtualKey({ name: 'ok' })],
      secrets: [keySecret('k'), keySecret('ok'), secret({ name: 'openai' }, { apiKey: 'sk' })],
    });
    expect(Object.keys(table.routes)).toEqual(['default/good']);
    expect(table.keys.map((k) => k.id)).toEqual(['default/ok']);
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/bad', 'Accepted')).toEqual({
      type: 'Accepted',
      status: 'False',
      reason: 'Invalid',
      message: 'spec.backends[0].weight: must be >= 0',
    });
    expect(conditionOf(diagnostics, 'VirtualKey', 'default/k', 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'Invalid',
      message: 'spec: allowedModels must not be empty; omit it to allow every model',
    });
    expect(table.routes['default/good']?.retry.attempts).toBe(2);
  });
});
