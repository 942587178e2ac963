import { describe, expect, it } from '@jest/globals';
import { BUILTIN_PRICE_CATALOG, type PriceCatalog, type ProviderName } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { openaiBackend, route, secret } from './support/manifests.js';

describe('built-in price catalog', () => {
  it.each<[ProviderName, string, string | undefined]>([
    ['openai', 'gpt-4o', '2.50'],
    ['openai', 'gpt-4o-2024-08-06', '2.50'],
    ['openai', 'gpt-4o-mini-2024-07-18', '0.15'],
    ['azure-openai', 'gpt-4o', '2.50'],
    ['anthropic', 'claude-sonnet-4-5-20250929', '3.00'],
    ['anthropic', 'claude-3-5-haiku-latest', '0.80'],
    ['bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', '3.00'],
    ['bedrock', 'anthropic.claude-3-haiku-20240307-v1:0', '0.25'],
    ['vertex-ai', 'claude-sonnet-4-5@20250929', '3.00'],
    ['vertex-ai', 'gemini-2.5-pro', '1.25'],
    ['gemini', 'models/gemini-2.5-flash', '0.30'],
    ['mock', 'anything', '0'],
    ['openai', 'gpt-4o-unknown-variant', undefined],
    ['groq', 'llama-3.3-70b-versatile', '0.59'],
    ['ollama', 'llama3.1:8b', undefined],
    ['bedrock', 'meta.llama3-70b-instruct-v1:0', undefined],
  ])('%s %s -> input %s', (provider, model, input) => {
    expect(BUILTIN_PRICE_CATALOG.lookup(provider, model)?.inputPerMillion).toBe(input);
  });
});

describe('prices in the table', () => {
  const secrets = [secret({ name: 'openai' }, { apiKey: 'sk-1' })];

  it('compiles an override to nano-dollars', () => {
    const { table, diagnostics } = compile({
      routes: [
        route(
          { name: 'r' },
          {
            backends: [
              openaiBackend({
                pricing: { inputPerMillion: '2.5', outputPerMillion: '10', cachedInputPerMillion: '1.25', cacheWritePerMillion: '3.125' },
              }),
            ],
          },
        ),
      ],
      secrets,
    });
    expect(table.routes['default/r']?.backends[0]?.pricing).toEqual({
      inputPerMillionNanos: '2500000000',
      outputPerMillionNanos: '10000000000',
      cachedInputPerMillionNanos: '1250000000',
      cacheWritePerMillionNanos: '3125000000',
      source: 'override',
    });
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/r', 'PriceUnknown')).toMatchObject({ status: 'False', reason: 'PricesKnown' });
  });

  it('uses the catalog, or an injected one', () => {
    const catalog: PriceCatalog = {
      lookup: (_p, model) => (model === 'custom' ? { inputPerMillion: '1', outputPerMillion: '2' } : undefined),
    };
    const { table } = compile({
      routes: [route({ name: 'r' }, { backends: [openaiBackend({ model: 'custom' })] })],
      secrets,
      priceCatalog: catalog,
    });
    expect(table.routes['default/r']?.backends[0]?.pricing).toEqual({
      inputPerMillionNanos: '1000000000',
      outputPerMillionNanos: '2000000000',
      source: 'catalog',
    });
  });

  it('flags backends with no price and leaves their pricing out', () => {
    const { table, diagnostics } = compile({
      routes: [route({ name: 'r' }, { backends: [openaiBackend(), { name: 'local', provider: 'ollama', model: 'llama3.1:8b' }] })],
      secrets,
    });
    expect(table.routes['default/r']?.backends[1]?.pricing).toBeUndefined();
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/r', 'PriceUnknown')).toEqual({
      type: 'PriceUnknown',
      status: 'True',
      reason: 'PriceUnknown',
      message:
        'no catalog price and no pricing for backend local (ollama llama3.1:8b); keys under a Block budget are refused these backends',
    });
  });
});
