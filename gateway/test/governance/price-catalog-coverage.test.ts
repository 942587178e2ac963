// The built-in price catalog covers every provider with list prices, records where and when its
// prices were read, and resolves the model ids backends actually use (dated snapshots, regional
// Bedrock profiles, OpenRouter vendor paths). Self-hosted providers stay PriceUnknown.
import { describe, expect, it } from '@jest/globals';
import { BUILTIN_PRICE_CATALOG, MONEY_PATTERN, type ProviderName } from '@switchyard/compiler';

const TABLES = Object.entries(BUILTIN_PRICE_CATALOG.tables);

describe('price catalog data', () => {
  it('has a table for every provider that publishes list prices', () => {
    expect(TABLES.map(([name]) => name).sort()).toEqual([
      'anthropic',
      'bedrock',
      'cohere',
      'deepseek',
      'fireworks',
      'gemini',
      'groq',
      'mistral',
      'openai',
      'together',
      'xai',
    ]);
    expect(BUILTIN_PRICE_CATALOG.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each(TABLES)('%s names its source page and the date it was read, and every price is a money string', (_name, table) => {
    expect(table.source).toMatch(/^https:\/\//);
    expect(table.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(table.models).length).toBeGreaterThan(0);
    const money = new RegExp(MONEY_PATTERN);
    for (const entry of Object.values(table.models)) {
      for (const value of [entry.input, entry.output, entry.cachedInput, entry.cacheWrite])
        if (value !== undefined) expect(value).toMatch(money);
    }
  });
});

describe('catalog lookups', () => {
  it.each<[ProviderName, string, string | undefined, string | undefined]>([
    ['openai', 'gpt-5.4', '2.50', '15.00'],
    ['openai', 'gpt-5-mini-2025-08-07', '0.25', '2.00'],
    ['azure-openai', 'gpt-4.1-mini', '0.40', '1.60'],
    ['anthropic', 'claude-opus-4-5-20251101', '5.00', '25.00'],
    ['anthropic', 'claude-haiku-4-5-20251001', '1.00', '5.00'],
    ['bedrock', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', '3.00', '15.00'],
    ['bedrock', 'us.amazon.nova-pro-v1:0', '0.80', '3.20'],
    ['vertex-ai', 'claude-opus-4-1@20250805', '15.00', '75.00'],
    ['vertex-ai', 'gemini-2.5-flash', '0.30', '2.50'],
    ['gemini', 'models/gemini-2.5-pro', '1.25', '10.00'],
    ['mistral', 'mistral-small-latest', '0.10', '0.30'],
    ['groq', 'llama-3.3-70b-versatile', '0.59', '0.79'],
    ['deepseek', 'deepseek-reasoner', '0.28', '0.42'],
    ['xai', 'grok-4-0709', '3.00', '15.00'],
    ['together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo', '0.88', '0.88'],
    ['fireworks', 'accounts/fireworks/models/deepseek-v3', '0.90', '0.90'],
    ['cohere', 'command-a-03-2025', '2.50', '10.00'],
    ['openrouter', 'anthropic/claude-sonnet-4.5', '3.00', '15.00'],
    ['openrouter', 'openai/gpt-4o-mini', '0.15', '0.60'],
    ['openrouter', 'meta-llama/llama-3.3-70b-instruct', undefined, undefined],
    ['ollama', 'llama3.1:8b', undefined, undefined],
    ['vllm', 'meta-llama/Llama-3.1-8B-Instruct', undefined, undefined],
    ['openai-compatible', 'gpt-4o', undefined, undefined],
    ['openai', 'gpt-4o-unknown-variant', undefined, undefined],
    ['mock', 'anything', '0', '0'],
  ])('%s %s -> input %s, output %s', (provider, model, input, output) => {
    const price = BUILTIN_PRICE_CATALOG.lookup(provider, model);
    expect(price?.inputPerMillion).toBe(input);
    expect(price?.outputPerMillion).toBe(output);
  });

  it('carries cache prices where the provider has them', () => {
    expect(BUILTIN_PRICE_CATALOG.lookup('anthropic', 'claude-sonnet-4-5')).toEqual({
      inputPerMillion: '3.00',
      outputPerMillion: '15.00',
      cachedInputPerMillion: '0.30',
      cacheWritePerMillion: '3.75',
    });
    expect(BUILTIN_PRICE_CATALOG.lookup('openai', 'gpt-4o')).toEqual({
      inputPerMillion: '2.50',
      outputPerMillion: '10.00',
      cachedInputPerMillion: '1.25',
    });
  });

  it('does not treat inherited object keys as models', () => {
    expect(BUILTIN_PRICE_CATALOG.lookup('openai', 'constructor')).toBeUndefined();
    expect(BUILTIN_PRICE_CATALOG.lookup('groq', '__proto__')).toBeUndefined();
  });
});
