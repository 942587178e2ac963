// The built-in capability catalog: backend model ids resolve to it as they do to the price catalog
// (dated snapshots, Bedrock inference profiles, Vertex `@date` and `models/` paths, OpenRouter
// vendor paths); the compiler puts the result into the routing table with the backend's own
// `capabilities` overriding it field by field; a model the catalog does not list gets nothing.
import { describe, expect, it } from '@jest/globals';
import { BUILTIN_CAPABILITY_CATALOG } from '../src/pricing/model-capabilities.js';
import { BUILTIN_PRICE_CATALOG, type BackendSpec, type ProviderName } from '../src/index.js';
import { compile } from './support/compile.js';
import { openaiBackend, route, secret } from './support/manifests.js';

type Caps = ReturnType<typeof BUILTIN_CAPABILITY_CATALOG.lookup>;

describe('capability catalog lookups', () => {
  it.each<[ProviderName, string, Partial<NonNullable<Caps>> | undefined]>([
    ['openai', 'gpt-4o', { contextWindow: 128_000, maxOutputTokens: 16_384, vision: true, reasoning: false }],
    ['openai', 'gpt-4o-2024-08-06', { contextWindow: 128_000, maxOutputTokens: 16_384 }],
    ['azure-openai', 'gpt-4.1-mini', { contextWindow: 1_047_576, maxOutputTokens: 32_768 }],
    ['openai', 'o3-mini-2025-01-31', { contextWindow: 200_000, vision: false, reasoning: true }],
    ['anthropic', 'claude-haiku-4-5-20251001', { contextWindow: 200_000, maxOutputTokens: 64_000, vision: true }],
    ['anthropic', 'claude-3-5-haiku-latest', { contextWindow: 200_000, maxOutputTokens: 8_192, reasoning: false }],
    ['anthropic', 'claude-sonnet-4.6', { contextWindow: 1_000_000, maxOutputTokens: 128_000 }],
    ['bedrock', 'us.anthropic.claude-opus-4-1-20250805-v1:0', { contextWindow: 200_000, maxOutputTokens: 32_000 }],
    ['bedrock', 'us.amazon.nova-micro-v1:0', { contextWindow: 128_000, vision: false }],
    ['vertex-ai', 'claude-opus-4-5@20251101', { contextWindow: 200_000, maxOutputTokens: 64_000 }],
    ['vertex-ai', 'publishers/google/models/gemini-2.5-pro', { contextWindow: 1_048_576, maxOutputTokens: 65_536 }],
    ['gemini', 'models/gemini-2.0-flash-lite', { maxOutputTokens: 8_192, reasoning: false }],
    ['xai', 'grok-4-0709', { contextWindow: 256_000 }],
    ['openrouter', 'openai/gpt-4o-mini', { contextWindow: 128_000 }],
    ['openrouter', 'anthropic/claude-opus-4.6', { contextWindow: 1_000_000 }],
    // Unknown models and providers without list data: nothing known.
    ['openai', 'gpt-4o-unknown-variant', undefined],
    ['openai', 'text-embedding-3-small', undefined],
    ['mistral', 'mistral-large-latest', undefined],
    ['ollama', 'llama3.1:8b', undefined],
    ['openai-compatible', 'gpt-4o', undefined],
    ['mock', 'gpt-4o', undefined],
    ['openai', 'constructor', undefined],
  ])('%s %s', (provider, model, expected) => {
    const found = BUILTIN_CAPABILITY_CATALOG.lookup(provider, model);
    if (expected === undefined) expect(found).toBeUndefined();
    else expect(found).toMatchObject(expected);
  });

  it('hands out copies, so a compiled table cannot change the catalog', () => {
    const first = BUILTIN_CAPABILITY_CATALOG.lookup('openai', 'gpt-4o');
    if (first) first.contextWindow = 1;
    expect(BUILTIN_CAPABILITY_CATALOG.lookup('openai', 'gpt-4o')?.contextWindow).toBe(128_000);
  });
});

describe('capability catalog data', () => {
  const tables = Object.entries(BUILTIN_CAPABILITY_CATALOG.tables);

  it.each(tables)('%s names its sources and date, and every value has the right type', (_name, table) => {
    expect(table?.sources.length).toBeGreaterThan(0);
    for (const source of table?.sources ?? []) expect(source).toMatch(/^https:\/\//);
    expect(table?.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const entry of Object.values(table?.models ?? {})) {
      for (const size of [entry.contextWindow, entry.maxOutputTokens])
        if (size !== undefined) expect(Number.isInteger(size) && size >= 1024).toBe(true);
      for (const flag of [entry.tools, entry.vision, entry.jsonSchema, entry.reasoning])
        if (flag !== undefined) expect(typeof flag).toBe('boolean');
    }
  });

  it('keys every model exactly like the price catalog, so each listed model also has a price', () => {
    for (const [name, table] of tables) {
      const prices = BUILTIN_PRICE_CATALOG.tables[name as keyof typeof BUILTIN_PRICE_CATALOG.tables];
      for (const model of Object.keys(table?.models ?? {}))
        expect([name, model, Object.hasOwn(prices.models, model)]).toEqual([name, model, true]);
    }
  });
});

describe('capabilities in the table', () => {
  const secrets = [secret({ name: 'openai' }, { apiKey: 'sk-1' })];

  function compiledCapabilities(backends: BackendSpec[]) {
    const { table } = compile({ routes: [route({ name: 'r' }, { backends })], secrets });
    return table.routes['default/r']?.backends.map((backend) => backend.capabilities);
  }

  it.each<[string, Partial<BackendSpec>, Caps]>([
    [
      'a catalog model gets the catalog entry',
      { model: 'gpt-4o-2024-08-06' },
      { contextWindow: 128_000, maxOutputTokens: 16_384, tools: true, vision: true, jsonSchema: true, reasoning: false },
    ],
    [
      'spec fields override the catalog field by field, narrowing or widening',
      { model: 'gpt-4o', capabilities: { contextWindow: 64_000, reasoning: true } },
      { contextWindow: 64_000, maxOutputTokens: 16_384, tools: true, vision: true, jsonSchema: true, reasoning: true },
    ],
    ['an unknown model gets nothing', { model: 'in-house-finetune' }, undefined],
    ['an unknown model keeps what its spec says', { model: 'in-house-finetune', capabilities: { vision: false } }, { vision: false }],
    [
      'a self-hosted provider never reads the catalog, even with a catalog model name',
      { provider: 'openai-compatible', model: 'gpt-4o', baseURL: 'http://llm.local/v1', capabilities: { tools: true } },
      { tools: true },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(compiledCapabilities([openaiBackend(overrides)])).toEqual([expected]);
  });

  it('gives each backend of a route its own model capabilities', () => {
    expect(
      compiledCapabilities([openaiBackend({ name: 'small', model: 'gpt-4o' }), openaiBackend({ name: 'large', model: 'gpt-4.1' })])?.map(
        (capabilities) => capabilities?.contextWindow,
      ),
    ).toEqual([128_000, 1_047_576]);
  });
});
