// The realtime price catalog (compiler/src/pricing/realtime-price-data.ts): every entry names the
// page and date it was read from and holds money strings; backend model ids find their entry as
// in the main catalog (dated snapshots, Azure deployments of OpenAI models); a backend's own
// `pricing` applies to every modality; providers without realtime prices find none.
import { describe, expect, it } from '@jest/globals';
import { BUILTIN_PRICE_CATALOG, MONEY_PATTERN, realtimeCatalogPrice, type CompiledBackend, type ProviderName } from '@switchyard/compiler';
import { realtimePricesOf } from '../../src/governance/cost/realtime-cost.js';

const MODELS = ['gpt-realtime', 'gpt-realtime-1.5', 'gpt-realtime-2.1-mini', 'gpt-4o-realtime-preview', 'gpt-4o-mini-realtime-preview'];

describe('realtime price catalog', () => {
  it.each(MODELS)('%s names its model page and date, every price a money string, its text price also in the main catalog', (model) => {
    const entry = realtimeCatalogPrice('openai', model);
    if (entry === undefined) throw new Error(`${model} has no realtime price`);
    expect(entry.source).toBe(`https://developers.openai.com/api/docs/models/${model}`);
    expect(entry.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const money = new RegExp(MONEY_PATTERN);
    for (const value of [
      entry.textInput,
      entry.cachedTextInput,
      entry.textOutput,
      entry.audioInput,
      entry.cachedAudioInput,
      entry.audioOutput,
    ])
      expect(value).toMatch(money);
    expect(BUILTIN_PRICE_CATALOG.lookup('openai', model)).toMatchObject({
      inputPerMillion: entry.textInput,
      outputPerMillion: entry.textOutput,
    });
  });

  it.each<[ProviderName, string, string | undefined]>([
    ['openai', 'gpt-realtime-2025-08-28', '32.00'],
    ['azure-openai', 'gpt-realtime', '32.00'],
    ['openai', 'gpt-4o', undefined],
    ['gemini', 'gemini-2.5-flash', undefined],
    ['openai-compatible', 'gpt-realtime', undefined],
  ])('%s %s: audio input %s', (provider, model, audioInput) => {
    expect(realtimeCatalogPrice(provider, model)?.audioInput).toBe(audioInput);
  });

  it("charges a backend's own pricing for every modality", () => {
    const backend = {
      name: 'b',
      provider: 'openai',
      model: 'gpt-realtime',
      pricing: { inputPerMillionNanos: '7000000000', outputPerMillionNanos: '9000000000', source: 'override' },
    } as unknown as CompiledBackend;
    expect(realtimePricesOf(backend)).toEqual({
      textInput: 7_000_000_000n,
      cachedTextInput: 7_000_000_000n,
      textOutput: 9_000_000_000n,
      audioInput: 7_000_000_000n,
      cachedAudioInput: 7_000_000_000n,
      audioOutput: 9_000_000_000n,
      imageInput: 7_000_000_000n,
      cachedImageInput: 7_000_000_000n,
    });
  });
});
