// Image costs from the image catalog: per image by quality and size (defaults, size classes,
// unlisted values at the dearest price), GPT Image tokens at their three prices, and the
// reservation over every backend a request may reach.
import { describe, expect, it } from '@jest/globals';
import { lookUpImagePrice, type CompiledBackend, type ImagePriceEntry } from '@switchyard/compiler';
import { estimateImages, imageCostNanos } from '../../src/governance/cost/image-cost.js';
import type { UnifiedImageRequest } from '../../src/unified/images.js';

const request = (extra: Partial<UnifiedImageRequest> = {}): UnifiedImageRequest => ({
  kind: 'images',
  operation: 'generate',
  model: 'img',
  prompt: 'a lighthouse',
  n: 1,
  stream: false,
  images: [],
  ...extra,
});

function price(provider: CompiledBackend['provider'], model: string): ImagePriceEntry {
  const entry = lookUpImagePrice(provider, model);
  if (entry === undefined) throw new Error(`no image price for ${provider} ${model}`);
  return entry;
}

const usd = (nanos: bigint | undefined): number | undefined => (nanos === undefined ? undefined : Number(nanos) / 1e9);

describe('image prices', () => {
  it.each([
    ['dall-e-3', {}, 0.04],
    ['dall-e-3', { quality: 'hd' }, 0.08],
    ['dall-e-3', { quality: 'hd', size: '1024x1792' }, 0.12],
    ['dall-e-3', { quality: 'standard', size: '1792x1024' }, 0.08],
    ['dall-e-3', { quality: 'ultra' }, 0.12],
    ['dall-e-2', { size: '256x256' }, 0.016],
    ['dall-e-2', {}, 0.02],
  ])('%s %j costs $%d an image', (model, extra, dollars) => {
    expect(usd(imageCostNanos(price('openai', model), request(extra), 1, undefined))).toBe(dollars);
  });

  it('prices Titan by quality alias and size class, Imagen per image whatever the size', () => {
    const titan = price('bedrock', 'us.amazon.titan-image-generator-v2:0');
    expect(usd(imageCostNanos(titan, request({ size: '512x512' }), 2, undefined))).toBe(0.016);
    expect(usd(imageCostNanos(titan, request({ quality: 'hd', size: '1024x1024' }), 1, undefined))).toBe(0.012);
    expect(
      usd(
        imageCostNanos(
          price('vertex-ai', 'publishers/google/models/imagen-4.0-ultra-generate-001'),
          request({ size: '1792x1024' }),
          3,
          undefined,
        ),
      ),
    ).toBe(0.18);
  });

  it('charges GPT Image tokens at the text-input, image-input and output prices; unsplit input at the image price', () => {
    const gpt = price('azure-openai', 'gpt-image-1-2025-04-15');
    const split = { inputTokens: 1_000_000, inputTextTokens: 1_000_000, inputImageTokens: 0, outputTokens: 1_000_000 };
    expect(usd(imageCostNanos(gpt, request(), 1, split))).toBe(45);
    expect(usd(imageCostNanos(gpt, request(), 1, { inputTokens: 1_000_000, outputTokens: 0 }))).toBe(10);
    expect(imageCostNanos(gpt, request(), 1, undefined)).toBeUndefined();
  });

  it('has no price for models outside the catalog', () => {
    expect(lookUpImagePrice('openai', 'gpt-4o')).toBeUndefined();
    expect(lookUpImagePrice('groq', 'dall-e-3')).toBeUndefined();
  });
});

describe('image reservations', () => {
  const backend = (name: string, provider: CompiledBackend['provider'], model: string) => ({ name, provider, model }) as CompiledBackend;

  it('reserves n images at the dearest reachable backend and names the unpriced ones', () => {
    const routes = [
      { id: 'default/a', compiled: { backends: [backend('d3', 'openai', 'dall-e-3'), backend('d2', 'openai', 'dall-e-2')] } },
      { id: 'default/b', compiled: { backends: [backend('x', 'openai', 'not-an-image-model')] } },
    ];
    const estimate = estimateImages(routes, request({ n: 3, quality: 'hd', size: '1024x1024' }));
    expect(usd(estimate.costNanos)).toBe(0.24);
    expect(estimate.unpriced).toEqual([{ route: 'default/b', backend: 'x', provider: 'openai', model: 'not-an-image-model' }]);
  });

  it('bounds GPT Image by the published output tokens (high and the largest size for auto) and the input images of an edit', () => {
    const routes = [{ id: 'default/g', compiled: { backends: [backend('g', 'openai', 'gpt-image-1')] } }];
    const auto = estimateImages(routes, request({ prompt: 'abcd', n: 2 }));
    expect(auto.outputTokens).toBe(2 * 6240);
    // 4 text tokens at $5/M + 12,480 output tokens at $40/M
    expect(usd(auto.costNanos)).toBe(0.49922);
    const low = estimateImages(
      routes,
      request({
        prompt: 'abcd',
        quality: 'low',
        size: '1024x1024',
        operation: 'edit',
        images: [{ field: 'image', filename: 'a', contentType: 'image/png', data: new Uint8Array(1) }],
      }),
    );
    expect(low.outputTokens).toBe(272);
    // 4 text tokens at $5/M + 6,240 image tokens at $10/M + 272 output tokens at $40/M
    expect(usd(low.costNanos)).toBe(0.0733);
  });
});
