// The cost of a realtime response (GET /v1/realtime): its tokens by modality at the backend's
// realtime prices. A backend's own `pricing` (a negotiated price) wins, applied to every
// modality alike (input, cached input, output); otherwise the realtime catalog's per-modality
// list price; otherwise the backend has no realtime price (docs/governance.md, "Realtime sessions").
import { parseMoneyNanos, realtimeCatalogPrice, type CompiledBackend } from '@switchyard/compiler';
import type { RealtimeUsage } from '../../unified/realtime.js';
import type { RuntimeRoute } from '../../table/runtime-table.js';
import type { UnpricedBackend } from './request-estimate.js';

/** Nano-dollars per million tokens of each kind. */
export interface RealtimePrices {
  textInput: bigint;
  cachedTextInput: bigint;
  textOutput: bigint;
  audioInput: bigint;
  cachedAudioInput: bigint;
  audioOutput: bigint;
  imageInput: bigint;
  cachedImageInput: bigint;
}

const pricesByBackend = new WeakMap<CompiledBackend, RealtimePrices | null>();

export function realtimePricesOf(backend: CompiledBackend): RealtimePrices | undefined {
  let prices = pricesByBackend.get(backend);
  if (prices === undefined) {
    prices = lookUp(backend) ?? null;
    pricesByBackend.set(backend, prices);
  }
  return prices ?? undefined;
}

function lookUp(backend: CompiledBackend): RealtimePrices | undefined {
  const pricing = backend.pricing;
  if (pricing?.source === 'override') {
    const input = BigInt(pricing.inputPerMillionNanos);
    const cached = pricing.cachedInputPerMillionNanos === undefined ? input : BigInt(pricing.cachedInputPerMillionNanos);
    const output = BigInt(pricing.outputPerMillionNanos);
    return {
      textInput: input,
      cachedTextInput: cached,
      textOutput: output,
      audioInput: input,
      cachedAudioInput: cached,
      audioOutput: output,
      imageInput: input,
      cachedImageInput: cached,
    };
  }
  const entry = realtimeCatalogPrice(backend.provider, backend.model);
  if (entry === undefined) return undefined;
  const audioInput = parseMoneyNanos(entry.audioInput);
  const cachedAudioInput = parseMoneyNanos(entry.cachedAudioInput);
  return {
    textInput: parseMoneyNanos(entry.textInput),
    cachedTextInput: parseMoneyNanos(entry.cachedTextInput),
    textOutput: parseMoneyNanos(entry.textOutput),
    audioInput,
    cachedAudioInput,
    audioOutput: parseMoneyNanos(entry.audioOutput),
    // A model that lists no image price is charged its audio input price (never less than the truth).
    imageInput: entry.imageInput === undefined ? audioInput : parseMoneyNanos(entry.imageInput),
    cachedImageInput: entry.cachedImageInput === undefined ? cachedAudioInput : parseMoneyNanos(entry.cachedImageInput),
  };
}

const PER_MILLION = 1_000_000n;

function uncached(all: number, cached: number): bigint {
  return BigInt(Math.max(0, all - cached));
}

/** Exact in nano-dollars, divided once and rounded up, as chat's computeCostNanos. */
export function realtimeCostNanos(usage: RealtimeUsage, prices: RealtimePrices): bigint {
  const numerator =
    uncached(usage.inputTextTokens, usage.cachedTextTokens) * prices.textInput +
    BigInt(usage.cachedTextTokens) * prices.cachedTextInput +
    uncached(usage.inputAudioTokens, usage.cachedAudioTokens) * prices.audioInput +
    BigInt(usage.cachedAudioTokens) * prices.cachedAudioInput +
    uncached(usage.inputImageTokens, usage.cachedImageTokens) * prices.imageInput +
    BigInt(usage.cachedImageTokens) * prices.cachedImageInput +
    BigInt(usage.outputTextTokens) * prices.textOutput +
    BigInt(usage.outputAudioTokens) * prices.audioOutput;
  return (numerator + PER_MILLION - 1n) / PER_MILLION;
}

/** The backends of `routes` without a realtime price: a key under a Block budget may not open a session on them. */
export function realtimeUnpriced(routes: readonly RuntimeRoute[]): UnpricedBackend[] {
  const unpriced: UnpricedBackend[] = [];
  for (const route of routes)
    for (const backend of route.compiled.backends)
      if (realtimePricesOf(backend) === undefined)
        unpriced.push({ route: route.id, backend: backend.name, provider: backend.provider, model: backend.model });
  return unpriced;
}
