import { describe, expect, it } from '@jest/globals';
import type { ModelRouteManifest } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { keySecret, route, secret, virtualKey } from './support/manifests.js';

const mockRoute = (name: string, namespace: string, created: string, spec: Partial<ModelRouteManifest['spec']> = {}) =>
  route({ name, namespace, creationTimestamp: created }, { backends: [{ name: 'm', provider: 'mock', model: 'm' }], ...spec });

const key = (name: string, namespace: string) => virtualKey({ name, namespace });

describe('tenancy', () => {
  it("shows each key namespace its own routes plus the shared namespaces' routes", () => {
    const { table } = compile({
      sharedNamespaces: ['platform'],
      routes: [
        mockRoute('gpt-4o', 'platform', '2026-01-01T00:00:00Z', { aliases: ['gpt-4o-latest'] }),
        mockRoute('team-model', 'team-a', '2026-01-01T00:00:00Z'),
        mockRoute('other-model', 'team-b', '2026-01-01T00:00:00Z'),
        mockRoute('lonely', 'no-keys', '2026-01-01T00:00:00Z'),
      ],
      virtualKeys: [key('a', 'team-a'), key('b', 'team-b')],
      secrets: [keySecret('a', 'team-a'), keySecret('b', 'team-b')],
    });
    expect(table.modelsByNamespace).toEqual({
      'team-a': { 'gpt-4o': 'platform/gpt-4o', 'gpt-4o-latest': 'platform/gpt-4o', 'team-model': 'team-a/team-model' },
      'team-b': { 'gpt-4o': 'platform/gpt-4o', 'gpt-4o-latest': 'platform/gpt-4o', 'other-model': 'team-b/other-model' },
    });
    expect(Object.keys(table.routes).sort()).toEqual(['no-keys/lonely', 'platform/gpt-4o', 'team-a/team-model', 'team-b/other-model']);
  });

  it('lets two unrelated namespaces use one model name', () => {
    const { table, diagnostics } = compile({
      sharedNamespaces: [],
      routes: [mockRoute('gpt-4o', 'team-a', '2026-01-02T00:00:00Z'), mockRoute('gpt-4o', 'team-b', '2026-01-01T00:00:00Z')],
      virtualKeys: [key('a', 'team-a'), key('b', 'team-b')],
      secrets: [keySecret('a', 'team-a'), keySecret('b', 'team-b')],
    });
    expect(table.modelsByNamespace['team-a']).toEqual({ 'gpt-4o': 'team-a/gpt-4o' });
    expect(table.modelsByNamespace['team-b']).toEqual({ 'gpt-4o': 'team-b/gpt-4o' });
    expect(diagnostics.filter((d) => d.conditions.some((c) => c.reason === 'Conflict'))).toEqual([]);
  });
});

describe('name conflicts', () => {
  const cases: {
    name: string;
    routes: ModelRouteManifest[];
    winner: string;
    loser: string;
    message: string;
  }[] = [
    {
      name: 'the older route wins inside a namespace',
      routes: [
        mockRoute('b-route', 'team-a', '2026-01-01T00:00:00Z', { model: 'gpt-4o' }),
        mockRoute('a-route', 'team-a', '2026-03-01T00:00:00Z', { model: 'gpt-4o' }),
      ],
      winner: 'team-a/b-route',
      loser: 'team-a/a-route',
      message: 'model name "gpt-4o" is already claimed by the older ModelRoute team-a/b-route, visible to the same keys',
    },
    {
      name: 'an alias conflicts with a model name',
      routes: [
        mockRoute('one', 'team-a', '2026-01-01T00:00:00Z', { model: 'gpt-4o' }),
        mockRoute('two', 'team-a', '2026-01-02T00:00:00Z', { model: 'gpt-4o-2', aliases: ['gpt-4o'] }),
      ],
      winner: 'team-a/one',
      loser: 'team-a/two',
      message: 'model name "gpt-4o" is already claimed by the older ModelRoute team-a/one, visible to the same keys',
    },
    {
      name: 'a team route newer than a shared route loses',
      routes: [mockRoute('gpt-4o', 'platform', '2026-01-01T00:00:00Z'), mockRoute('gpt-4o', 'team-a', '2026-02-01T00:00:00Z')],
      winner: 'platform/gpt-4o',
      loser: 'team-a/gpt-4o',
      message: 'model name "gpt-4o" is already claimed by the older ModelRoute platform/gpt-4o, visible to the same keys',
    },
    {
      name: 'a shared route newer than a team route loses',
      routes: [mockRoute('gpt-4o', 'platform', '2026-03-01T00:00:00Z'), mockRoute('gpt-4o', 'team-a', '2026-02-01T00:00:00Z')],
      winner: 'team-a/gpt-4o',
      loser: 'platform/gpt-4o',
      message: 'model name "gpt-4o" is already claimed by the older ModelRoute team-a/gpt-4o, visible to the same keys',
    },
    {
      name: 'equal ages: namespace/name decides',
      routes: [
        mockRoute('zeta', 'team-a', '2026-01-01T00:00:00Z', { model: 'm' }),
        mockRoute('alpha', 'team-a', '2026-01-01T00:00:00Z', { model: 'm' }),
      ],
      winner: 'team-a/alpha',
      loser: 'team-a/zeta',
      message: 'model name "m" is already claimed by the older ModelRoute team-a/alpha, visible to the same keys',
    },
  ];

  it.each(cases)('$name', ({ routes, winner, loser, message }) => {
    const { table, diagnostics } = compile({
      sharedNamespaces: ['platform'],
      routes,
      virtualKeys: [key('a', 'team-a')],
      secrets: [keySecret('a', 'team-a')],
    });
    expect(Object.keys(table.routes)).toEqual([winner]);
    const [loserNamespace, loserName] = loser.split('/');
    expect(conditionOf(diagnostics, 'ModelRoute', `${loserNamespace}/${loserName}`, 'Accepted')).toEqual({
      type: 'Accepted',
      status: 'False',
      reason: 'Conflict',
      message,
    });
    expect(conditionOf(diagnostics, 'ModelRoute', winner, 'Accepted')).toMatchObject({ status: 'True' });
  });

  it('gives the loser no names at all, so a third route can claim what it left', () => {
    const { table } = compile({
      routes: [
        mockRoute('first', 'default', '2026-01-01T00:00:00Z', { model: 'a' }),
        mockRoute('second', 'default', '2026-01-02T00:00:00Z', { model: 'b', aliases: ['a'] }),
        mockRoute('third', 'default', '2026-01-03T00:00:00Z', { model: 'b' }),
      ],
      virtualKeys: [key('k', 'default')],
      secrets: [keySecret('k')],
    });
    expect(table.modelsByNamespace['default']).toEqual({ a: 'default/first', b: 'default/third' });
  });
});

describe('fallback models', () => {
  it('keeps fallback names and flags ones no visible route serves', () => {
    const { table, diagnostics } = compile({
      routes: [
        mockRoute('gpt-4o', 'team-a', '2026-01-01T00:00:00Z', { fallbackModels: ['gpt-4o-mini', 'missing-model'] }),
        mockRoute('gpt-4o-mini', 'team-a', '2026-01-01T00:00:00Z'),
      ],
      virtualKeys: [key('a', 'team-a')],
      secrets: [keySecret('a', 'team-a'), secret({ name: 'unused' }, { x: 'y' })],
    });
    expect(table.routes['team-a/gpt-4o']?.fallbackModels).toEqual(['gpt-4o-mini', 'missing-model']);
    expect(conditionOf(diagnostics, 'ModelRoute', 'team-a/gpt-4o', 'ResolvedRefs')).toEqual({
      type: 'ResolvedRefs',
      status: 'False',
      reason: 'FallbackNotFound',
      message: 'fallback model "missing-model" not served by any accepted route visible to this route\'s keys',
    });
    expect(conditionOf(diagnostics, 'ModelRoute', 'team-a/gpt-4o', 'Accepted')).toMatchObject({ status: 'True' });
  });
});
