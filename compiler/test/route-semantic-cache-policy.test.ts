// `spec.cache.semantic` through the standalone path (schema validation, CEL twins, compile): the
// embedding route resolved by ModelRoute name (own namespace first, then the shared ones), the
// defaults, a name that resolves to nothing (ResolvedRefs=False, semantic off, exact cache on),
// and the bounds with the CRD's messages.
import { describe, expect, it } from '@jest/globals';
import { CRD_DEFAULTS, loadCrdSchemas, type ModelRouteSpec } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { crdDir, route } from './support/manifests.js';

const schemas = loadCrdSchemas(crdDir);
const mockBackends = [{ name: 'm', provider: 'mock' as const, model: 'm' }];

function compileSemantic(semantic: unknown, options: { namespace?: string; embedderNamespace?: string } = {}) {
  const namespace = options.namespace ?? 'default';
  const spec = { backends: mockBackends, cache: { ttl: '10m', semantic } } as Partial<ModelRouteSpec>;
  const embedder = route({ name: 'embedder', namespace: options.embedderNamespace ?? namespace }, { backends: mockBackends });
  const { table, diagnostics } = compile({ schemas, routes: [embedder, route({ name: 'r', namespace }, spec)] });
  const id = `${namespace}/r`;
  return {
    compiled: table.routes[id],
    accepted: conditionOf(diagnostics, 'ModelRoute', id, 'Accepted'),
    refs: conditionOf(diagnostics, 'ModelRoute', id, 'ResolvedRefs'),
  };
}

describe('semantic cache policy compiles', () => {
  it('resolves the embedding route and applies the defaults', () => {
    const { compiled, refs } = compileSemantic({ embeddingModel: 'embedder' });
    expect(refs?.status).toBe('True');
    expect(compiled?.cache?.semantic).toEqual({
      embeddingRouteId: 'default/embedder',
      threshold: CRD_DEFAULTS.semanticThreshold,
      maxEntriesPerPartition: CRD_DEFAULTS.semanticMaxEntriesPerPartition,
      maxTemperature: CRD_DEFAULTS.semanticMaxTemperature,
      maxTurnChars: CRD_DEFAULTS.semanticMaxTurnChars,
    });
  });

  it('keeps what the route sets', () => {
    const semantic = { embeddingModel: 'embedder', threshold: 0.95, maxEntriesPerPartition: 10, maxTemperature: 0, maxTurnChars: 500 };
    const { compiled } = compileSemantic(semantic);
    expect(compiled?.cache?.semantic).toEqual({
      embeddingRouteId: 'default/embedder',
      threshold: 0.95,
      maxEntriesPerPartition: 10,
      maxTemperature: 0,
      maxTurnChars: 500,
    });
  });

  it('finds the embedding route in a shared namespace', () => {
    const { compiled } = compileSemantic({ embeddingModel: 'embedder' }, { namespace: 'team-a', embedderNamespace: 'default' });
    expect(compiled?.cache?.semantic?.embeddingRouteId).toBe('default/embedder');
  });

  it('an unknown embedding route: ResolvedRefs=False, semantic off, the exact cache on', () => {
    const { compiled, accepted, refs } = compileSemantic({ embeddingModel: 'nowhere' });
    expect(accepted?.status).toBe('True');
    expect(refs).toMatchObject({ status: 'False', reason: 'EmbeddingModelNotFound' });
    expect(refs?.message).toContain('ModelRoute "nowhere" not found');
    expect(compiled?.cache).toEqual({ ttlMs: 600_000, scope: 'VirtualKey' });
  });
});

describe('semantic cache policy rejects bad values with the CRD message', () => {
  const bad: { name: string; semantic: unknown; message: string }[] = [
    {
      name: 'threshold above 1',
      semantic: { embeddingModel: 'embedder', threshold: 1.5 },
      message: 'spec.cache.semantic: threshold must be greater than 0 and at most 1',
    },
    {
      name: 'threshold 0',
      semantic: { embeddingModel: 'embedder', threshold: 0 },
      message: 'spec.cache.semantic: threshold must be greater than 0 and at most 1',
    },
    {
      name: 'temperature ceiling above 2',
      semantic: { embeddingModel: 'embedder', maxTemperature: 2.5 },
      message: 'spec.cache.semantic: maxTemperature must be between 0 and 2',
    },
    { name: 'no embedding model', semantic: { threshold: 0.9 }, message: 'spec.cache.semantic.embeddingModel: is required' },
  ];
  it.each(bad)('$name', ({ semantic, message }) => {
    const { compiled, accepted } = compileSemantic(semantic);
    expect(compiled).toBeUndefined();
    expect(accepted).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(accepted?.message).toBe(message);
  });
});
