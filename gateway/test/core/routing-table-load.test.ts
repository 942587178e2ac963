// Loading a routing table: backend health survives a swap when route and backend name stay,
// drained backends and credentials are left out, a provider without an adapter is refused
// (keeping the serving table), and allow-list globs are compiled once.
import { describe, expect, it } from '@jest/globals';
import { createProviderRegistry, type ProviderRegistry } from '../../src/providers/registry.js';
import { TableLoadError } from '../../src/table/runtime-table.js';
import { TableHolder } from '../../src/table/table-holder.js';
import { compiledBackend, compiledKey, compiledRoute, routingTable } from './table-fixtures.js';

const NOW = Date.now();

describe('routing table load', () => {
  it('keeps a backend ejected across a reload that keeps its route and name', () => {
    const holder = new TableHolder(createProviderRegistry());
    const first = holder.load(routingTable([compiledRoute('chat', [compiledBackend('a'), compiledBackend('b')])]));
    const a = first.routes.get('default/chat')?.tiers[0]?.backends.items.find((b) => b.name === 'a');
    if (a === undefined) throw new Error('backend a missing');
    a.health.recordFailure({ consecutiveFailures: 1, ejectionTimeMs: 60_000 }, NOW);
    expect(a.health.isEjected(NOW + 1)).toBe(true);

    // Same route and backend names, other weights and a new backend: state carries over.
    const second = holder.load(
      routingTable([compiledRoute('chat', [compiledBackend('a', { weight: 5 }), compiledBackend('b'), compiledBackend('c')])], [], 2),
    );
    const names = second.routes.get('default/chat')?.tiers[0]?.backends.items.map((b) => [b.name, b.health.isEjected(NOW + 1)]);
    expect(names).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
    ]);

    // Dropped and re-added: the state is forgotten.
    holder.load(routingTable([compiledRoute('chat', [compiledBackend('b')])], [], 3));
    const fourth = holder.load(routingTable([compiledRoute('chat', [compiledBackend('a'), compiledBackend('b')])], [], 4));
    expect(
      fourth.routes
        .get('default/chat')
        ?.tiers[0]?.backends.items.find((b) => b.name === 'a')
        ?.health.isEjected(NOW + 1),
    ).toBe(false);
  });

  it('groups tiers by priority and leaves drained backends and credentials out', () => {
    const holder = new TableHolder(createProviderRegistry());
    const credential = (ref: string, weight: number) => ({ ref, weight, apiKey: `key-${ref}` });
    const table = holder.load(
      routingTable([
        compiledRoute('tiers', [
          compiledBackend('late', { priority: 2 }),
          compiledBackend('first', { priority: 0 }),
          compiledBackend('off', { priority: 0, weight: 0 }),
          compiledBackend('creds', {
            priority: 1,
            provider: 'openai',
            baseURL: 'http://127.0.0.1:1/v1',
            credentials: [credential('drained', 0), credential('live', 2)],
          }),
          compiledBackend('no-live-creds', {
            priority: 1,
            provider: 'openai',
            baseURL: 'http://127.0.0.1:1/v1',
            credentials: [credential('x', 0)],
          }),
        ]),
      ]),
    );
    const tiers = table.routes.get('default/tiers')?.tiers ?? [];
    expect(tiers.map((t) => [t.priority, t.backends.items.map((b) => b.name)])).toEqual([
      [0, ['first']],
      [1, ['creds']],
      [2, ['late']],
    ]);
    expect(tiers[1]?.backends.items[0]?.credentials?.items.map((c) => c.ref)).toEqual(['live']);
  });

  it('refuses a table whose provider has no adapter, and keeps serving the previous one', () => {
    // A build without an adapter no longer compiles (the registry is a complete Record); the check
    // still guards against a table that names a provider this build does not know, as one compiled
    // by a newer control plane would. Dropping an adapter here stands in for that.
    const { 'vertex-ai': _vertexAI, ...withoutVertexAI } = createProviderRegistry();
    const holder = new TableHolder(withoutVertexAI as ProviderRegistry);
    holder.load(routingTable([compiledRoute('ok', [compiledBackend('m')])]));
    const bad = routingTable([compiledRoute('gemini-pro', [compiledBackend('vx', { provider: 'vertex-ai' })])], [], 2);
    expect(() => holder.load(bad)).toThrow(TableLoadError);
    expect(() => holder.load(bad)).toThrow(
      'route default/gemini-pro backend "vx": provider "vertex-ai" has no adapter in this gateway build',
    );
    expect(holder.current?.version).toBe(1);
  });

  it('indexes keys by digest and decides allow-lists by name or alias', () => {
    const holder = new TableHolder(createProviderRegistry());
    const table = holder.load(
      routingTable(
        [
          compiledRoute('gpt-4o', [compiledBackend('a')], { aliases: ['gpt-4o-latest'] }),
          compiledRoute('claude-3', [compiledBackend('b')]),
          compiledRoute('gpt.mini', [compiledBackend('c')]),
        ],
        [compiledKey('globs', 'plain-key', { allowedModels: ['claude-*', 'gpt-4o-latest'] })],
      ),
    );
    const key = [...table.keysByDigest.values()][0];
    if (key === undefined) throw new Error('key missing');
    const route = (model: string) => {
      const found = key.models.get(model);
      if (found === undefined) throw new Error(`no ${model}`);
      return found;
    };
    expect(key.mayUse(route('claude-3'))).toBe(true);
    expect(key.mayUse(route('gpt-4o'))).toBe(true);
    // `.` is literal in a glob: "gpt.mini" is not matched by anything here.
    expect(key.mayUse(route('gpt.mini'))).toBe(false);
  });
});
