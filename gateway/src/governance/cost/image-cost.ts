// What images cost, from the image price catalog (compiler/src/pricing/image-price-catalog-data.ts):
// DALL-E, Imagen and Titan per image by quality and size; GPT Image models by the tokens OpenAI
// reports. Reservations (budget admission) bound the cost before the answer: n images at the
// dearest price the request can be charged on any backend it may reach, and for GPT Image the
// published output tokens per image plus a bound on the prompt and the input images.

import { lookUpImagePrice, parseMoneyNanos, type CompiledBackend, type ImagePriceEntry, type PerImagePrice } from '@switchyard/compiler';
import type { ImageTokenUsage, UnifiedImageRequest } from '../../unified/images.js';

const TOKENS_PER_PRICE_UNIT = 1_000_000n;
/**
 * An input image's tokens for a GPT Image edit reservation: the largest output image's count
 * (6,240), a bound OpenAI's tiling of input images stays under at its default fidelity. The
 * settled cost is what OpenAI reports.
 */
const INPUT_IMAGE_TOKEN_BOUND = 6_240;

const priceByBackend = new WeakMap<CompiledBackend, ImagePriceEntry | null>();

/** The backend's image price, looked up once per table; undefined: the model has none in the catalog. */
export function imagePriceOf(backend: CompiledBackend): ImagePriceEntry | undefined {
  let entry = priceByBackend.get(backend);
  if (entry === undefined) {
    entry = lookUpImagePrice(backend.provider, backend.model) ?? null;
    priceByBackend.set(backend, entry);
  }
  return entry ?? undefined;
}

function known(value: string | undefined): string | undefined {
  return value === undefined || value === 'auto' ? undefined : value;
}

function sizeKey(entry: PerImagePrice, size: string | undefined): string | undefined {
  if (size === undefined || entry.sizeClasses !== true) return size;
  const match = /^(\d+)x(\d+)$/.exec(size);
  return match === null ? undefined : Number(match[1]) * Number(match[2]) <= 512 * 512 ? 'small' : 'large';
}

/** The dearest of the `quality/size` table values that the request's quality and size may be (undefined: any). */
function dearest<T extends bigint | number>(table: Readonly<Record<string, T>>, quality: string | undefined, size: string | undefined): T {
  let best: T | undefined;
  let any: T | undefined;
  for (const [key, value] of Object.entries(table)) {
    if (any === undefined || value > any) any = value;
    const [q = '*', s = '*'] = key === '*' ? [] : key.split('/');
    const fits = (part: string, wanted: string | undefined) => part === '*' || wanted === undefined || part === wanted;
    if (fits(q, quality) && fits(s, size) && (best === undefined || value > best)) best = value;
  }
  // A quality or size the table does not list: the dearest listed price, never less.
  return (best ?? any) as T;
}

/** One image's price in nano-dollars for the request's quality and size. */
function perImageNanos(entry: PerImagePrice, request: UnifiedImageRequest): bigint {
  const asked = known(request.quality);
  const quality = asked === undefined ? entry.defaults?.quality : (entry.qualityAliases?.[asked] ?? asked);
  const size = sizeKey(entry, known(request.size) ?? entry.defaults?.size);
  const prices = Object.fromEntries(Object.entries(entry.prices).map(([key, usd]) => [key, parseMoneyNanos(usd)]));
  return dearest(prices, quality, size);
}

function tokenCost(tokens: number, perMillionUsd: string): bigint {
  return BigInt(Math.max(0, Math.floor(tokens))) * parseMoneyNanos(perMillionUsd);
}

function divideRoundingUp(numerator: bigint): bigint {
  return (numerator + TOKENS_PER_PRICE_UNIT - 1n) / TOKENS_PER_PRICE_UNIT;
}

/**
 * The cost of an answer: images answered at their per-image price, or GPT Image tokens at the
 * text-input, image-input and output prices (input without OpenAI's split at the image-input
 * price). Undefined for a token-priced model whose answer reported no usage.
 */
export function imageCostNanos(
  entry: ImagePriceEntry,
  request: UnifiedImageRequest,
  images: number,
  usage: ImageTokenUsage | undefined,
): bigint | undefined {
  if (entry.unit === 'image') return BigInt(images) * perImageNanos(entry, request);
  if (usage === undefined) return undefined;
  const text = usage.inputTextTokens ?? 0;
  const image = usage.inputImageTokens ?? Math.max(0, usage.inputTokens - text);
  return divideRoundingUp(
    tokenCost(text, entry.textInput) + tokenCost(image, entry.imageInput) + tokenCost(usage.outputTokens, entry.output),
  );
}

/** A backend whose model has no image price (the shape of request-estimate.ts's UnpricedBackend). */
interface UnpricedImageBackend {
  route: string;
  backend: string;
  provider: string;
  model: string;
}

interface ImageEstimate {
  promptTokens: number;
  outputTokens: number;
  costNanos: bigint;
  unpriced: UnpricedImageBackend[];
}

/** A bound on the tokens of the request's prompt: one per byte, as the chat estimate bounds prompts. */
function promptTokenBound(request: UnifiedImageRequest): number {
  return Buffer.byteLength(request.prompt, 'utf8') + INPUT_IMAGE_TOKEN_BOUND * request.images.length;
}

function entryEstimate(entry: ImagePriceEntry, request: UnifiedImageRequest): { costNanos: bigint; outputTokens: number } {
  if (entry.unit === 'image') return { costNanos: BigInt(request.n) * perImageNanos(entry, request), outputTokens: 0 };
  const outputTokens = request.n * dearest(entry.outputTokensPerImage, known(request.quality), known(request.size));
  const text = Buffer.byteLength(request.prompt, 'utf8');
  const images = INPUT_IMAGE_TOKEN_BOUND * request.images.length;
  return {
    costNanos: divideRoundingUp(
      tokenCost(text, entry.textInput) + tokenCost(images, entry.imageInput) + tokenCost(outputTokens, entry.output),
    ),
    outputTokens,
  };
}

/** The reservation for an image request over every backend of the routes it may reach. */
export function estimateImages(
  routes: ReadonlyArray<{ id: string; compiled: { backends: readonly CompiledBackend[] } }>,
  request: UnifiedImageRequest,
): ImageEstimate {
  let costNanos = 0n;
  let outputTokens = 0;
  const unpriced: UnpricedImageBackend[] = [];
  for (const route of routes)
    for (const backend of route.compiled.backends) {
      const entry = imagePriceOf(backend);
      if (entry === undefined) {
        unpriced.push({ route: route.id, backend: backend.name, provider: backend.provider, model: backend.model });
        continue;
      }
      const estimate = entryEstimate(entry, request);
      if (estimate.costNanos > costNanos) costNanos = estimate.costNanos;
      if (estimate.outputTokens > outputTokens) outputTokens = estimate.outputTokens;
    }
  return { promptTokens: promptTokenBound(request), outputTokens, costNanos, unpriced };
}
