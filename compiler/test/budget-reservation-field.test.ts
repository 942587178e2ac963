// Budget spec.reservation: Strict (the default, also for tables compiled before the field) or
// Tokenized; any other value is refused by the schema, in standalone mode as by the API server.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { loadCrdSchemas, type CrdSchemas } from '../src/index.js';
import { compile } from './support/compile.js';
import { budget, crdDir } from './support/manifests.js';

let schemas: CrdSchemas;
beforeAll(() => {
  schemas = loadCrdSchemas(crdDir);
});

describe('Budget spec.reservation', () => {
  it.each([
    ['absent', undefined, 'Strict'],
    ['Strict', 'Strict', 'Strict'],
    ['Tokenized', 'Tokenized', 'Tokenized'],
  ] as const)('compiles %s into the table as %s', (_name, reservation, expected) => {
    const manifest = budget({ name: 'b', namespace: 'ai' }, reservation === undefined ? {} : { reservation });
    expect(schemas.validate(manifest)).toMatchObject({ ok: true });
    const { table } = compile({ budgets: [manifest] });
    expect(table.budgets.find((b) => b.id === 'ai/b')?.reservation).toBe(expected);
  });

  it.each(['tokenized', 'Exact', ''])('refuses %j, naming the allowed values', (value) => {
    const manifest = { ...budget({ name: 'b' }), spec: { selector: {}, limit: '1', reservation: value } };
    const result = schemas.validate(manifest);
    expect(result.ok).toBe(false);
    expect(result.issues[0]).toEqual({ field: 'spec.reservation', message: 'must be one of: Strict, Tokenized' });
  });
});
