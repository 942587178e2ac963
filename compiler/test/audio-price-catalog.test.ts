// The audio models' catalog entries: found by provider and model id like every other price
// (dated snapshots, Azure deployments of OpenAI's models), each with its billing unit, and a
// source page and date per entry.
import { describe, expect, it } from '@jest/globals';
import { AUDIO_PRICES } from '../src/pricing/audio-price-catalog-data.js';
import { audioBillingUnit, BUILTIN_PRICE_CATALOG, type ProviderName } from '../src/index.js';

describe('audio prices in the built-in catalog', () => {
  it.each<[ProviderName, string, string, string, string | undefined]>([
    ['openai', 'whisper-1', '100.00', '0', 'second'],
    ['azure-openai', 'whisper-1', '100.00', '0', 'second'],
    ['openai', 'tts-1', '15.00', '0', 'character'],
    ['openai', 'tts-1-hd', '30.00', '0', 'character'],
    ['openai', 'gpt-4o-mini-tts-2025-03-20', '0.60', '12.00', 'token'],
    ['openai', 'gpt-4o-transcribe', '6.00', '10.00', 'token'],
    ['groq', 'whisper-large-v3-turbo', '11.112', '0', 'second'],
  ])('%s %s: input %s, output %s per million, billed per %s', (provider, model, input, output, unit) => {
    expect(BUILTIN_PRICE_CATALOG.lookup(provider, model)).toEqual({ inputPerMillion: input, outputPerMillion: output });
    expect(audioBillingUnit(provider, model)).toBe(unit);
  });

  it('lists no unit for chat models or self-hosted audio models, whose backends set pricing', () => {
    expect(audioBillingUnit('openai', 'gpt-4o')).toBeUndefined();
    expect(audioBillingUnit('vllm', 'openai/whisper-large-v3')).toBeUndefined();
    expect(BUILTIN_PRICE_CATALOG.lookup('vllm', 'openai/whisper-large-v3')).toBeUndefined();
  });

  it('gives every entry a unit, an https source and a date', () => {
    const entries = Object.values(AUDIO_PRICES).flatMap((table) => Object.values(table?.models ?? {}));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(['second', 'character', 'token']).toContain(entry.unit);
      expect(entry.source).toMatch(/^https:\/\//);
      expect(entry.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number(entry.input)).toBeGreaterThan(0);
    }
  });
});
