// The image wire format, both directions: the caller's requests decoded, the body each upstream
// dialect is sent (OpenAI/Azure JSON and multipart, Imagen `:predict`, Titan InvokeModel), and each
// one's answers (fixtures after each API's documented examples) decoded and encoded for the caller.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { UnsupportedFeatureError } from '../../../src/errors/unsupported-feature-error.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedImageRequest } from '../../../src/unified/images.js';
import {
  convertToImagenPredictRequest,
  convertToOpenAIImageEdit,
  convertToOpenAIImageGeneration,
  convertToTitanImageRequest,
  decodeImageEditRequest,
  decodeImageGenerationRequest,
  decodeImagenPredictResponse,
  decodeOpenAIImageResponse,
  decodeTitanImageResponse,
  encodeImageResponse,
} from '../../../src/wire/images/index.js';
import { wireFixturePath } from '../../support/repo-paths.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(wireFixturePath('images', `${name}.json`), 'utf8')) as unknown;
}

const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

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

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('caller requests', () => {
  it('decodes a generation with every field', () => {
    expect(
      decodeImageGenerationRequest({
        model: 'img',
        prompt: 'p',
        n: 2,
        size: '1024x1536',
        quality: 'high',
        style: 'vivid',
        response_format: 'b64_json',
        output_format: 'jpeg',
        output_compression: 50,
        background: 'opaque',
        moderation: 'low',
        user: 'u',
      }),
    ).toEqual(
      request({
        prompt: 'p',
        n: 2,
        size: '1024x1536',
        quality: 'high',
        style: 'vivid',
        responseFormat: 'b64_json',
        outputFormat: 'jpeg',
        outputCompression: 50,
        background: 'opaque',
        moderation: 'low',
        user: 'u',
      }),
    );
  });

  it('decodes an edit form: repeated image[] parts, a mask, numbers from text parts', async () => {
    const form = new FormData();
    form.append('model', 'img');
    form.append('prompt', 'add a moon');
    form.append('n', '3');
    form.append('image[]', new Blob([PNG], { type: 'image/png' }), 'a.png');
    form.append('image[]', new Blob([PNG], { type: 'image/webp' }), 'b.webp');
    form.append('mask', new Blob([PNG]), 'm.png');
    const decoded = await decodeImageEditRequest(form);
    expect(decoded).toMatchObject({ operation: 'edit', model: 'img', prompt: 'add a moon', n: 3 });
    expect(decoded.images.map((i) => [i.field, i.filename, i.contentType, i.data.length])).toEqual([
      ['image[]', 'a.png', 'image/png', 8],
      ['image[]', 'b.webp', 'image/webp', 8],
    ]);
    expect(decoded.mask?.contentType).toBe('image/png');
  });

  it('refuses too many edit images and a second mask, naming the field', async () => {
    const many = new FormData();
    many.append('model', 'img');
    many.append('prompt', 'p');
    for (let i = 0; i < 17; i++) many.append('image[]', new Blob([PNG]), `${i}.png`);
    await expect(decodeImageEditRequest(many)).rejects.toMatchObject({ param: 'image', message: expect.stringContaining('at most 16') });
    const masks = new FormData();
    masks.append('model', 'img');
    masks.append('prompt', 'p');
    masks.append('image', new Blob([PNG]), 'a.png');
    masks.append('mask', new Blob([PNG]), 'm.png');
    masks.append('mask', new Blob([PNG]), 'm2.png');
    await expect(decodeImageEditRequest(masks)).rejects.toBeInstanceOf(GatewayError);
  });
});

describe('OpenAI and Azure OpenAI', () => {
  it('sends only the fields the caller set, without the model where the URL names it', () => {
    expect(convertToOpenAIImageGeneration(request({ n: 2, quality: 'hd' }), 'dall-e-3')).toEqual({
      model: 'dall-e-3',
      prompt: 'a lighthouse',
      n: 2,
      quality: 'hd',
    });
    expect(convertToOpenAIImageGeneration(request(), undefined)).toEqual({ prompt: 'a lighthouse' });
  });

  it('sends an edit as multipart that parses back to the same parts', async () => {
    const edit = request({
      operation: 'edit',
      size: '1024x1024',
      images: [{ field: 'image', filename: 'a "quoted".png', contentType: 'image/png', data: PNG }],
      mask: { field: 'mask', filename: 'm.png', contentType: 'image/png', data: PNG },
    });
    const multipart = convertToOpenAIImageEdit(edit, 'gpt-image-1');
    const form = await new Response(multipart.body, { headers: { 'content-type': multipart.contentType } }).formData();
    expect(form.get('model')).toBe('gpt-image-1');
    expect(form.get('prompt')).toBe('a lighthouse');
    expect(form.get('size')).toBe('1024x1024');
    const image = form.get('image') as File;
    expect(image.name).toBe('a _quoted_.png');
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(PNG);
    expect((form.get('mask') as File).type).toBe('image/png');
  });

  it('decodes GPT Image answers with their token usage, and DALL-E URL answers', () => {
    const gpt = decodeOpenAIImageResponse(fixture('openai-gpt-image-1'), 'openai');
    expect(gpt).toEqual({
      created: 1713833628,
      data: [{ b64Json: 'iVBORw0KGgo=' }],
      usage: { inputTokens: 50, outputTokens: 50, inputTextTokens: 10, inputImageTokens: 40 },
      background: 'transparent',
      outputFormat: 'png',
      size: '1024x1024',
      quality: 'high',
    });
    expect(JSON.parse(encodeImageResponse(gpt))).toEqual(fixture('openai-gpt-image-1'));
    const dalle = decodeOpenAIImageResponse(fixture('openai-dall-e-3'), 'azure-openai');
    expect(JSON.parse(encodeImageResponse(dalle))).toEqual(fixture('openai-dall-e-3'));
  });

  it('reports a malformed answer as the upstream failing', () => {
    expect(thrown(() => decodeOpenAIImageResponse({ data: [{}] }, 'openai'))).toBeInstanceOf(UpstreamFailure);
    expect(thrown(() => decodeOpenAIImageResponse({ created: 1 }, 'openai'))).toBeInstanceOf(UpstreamFailure);
  });
});

describe('Imagen :predict', () => {
  it.each([
    ['1024x1024', '1:1'],
    ['1792x1024', '16:9'],
    ['1024x1792', '9:16'],
    ['1536x1024', '4:3'],
    ['1024x1536', '3:4'],
  ])('maps size %s to the aspect ratio %s', (size, aspectRatio) => {
    expect(convertToImagenPredictRequest(request({ size, n: 3 }), 'vertex-ai')).toEqual({
      instances: [{ prompt: 'a lighthouse' }],
      parameters: { sampleCount: 3, aspectRatio },
    });
  });

  it('maps JPEG output with its compression, and sends no aspect ratio for auto', () => {
    expect(convertToImagenPredictRequest(request({ size: 'auto', outputFormat: 'jpeg', outputCompression: 70 }), 'gemini')).toEqual({
      instances: [{ prompt: 'a lighthouse' }],
      parameters: { sampleCount: 1, outputOptions: { mimeType: 'image/jpeg', compressionQuality: 70 } },
    });
  });

  it.each([
    ['response_format', request({ responseFormat: 'url' })],
    ['image', request({ operation: 'edit' })],
    ['background', request({ background: 'transparent' })],
    ['output_format', request({ outputFormat: 'webp' })],
  ])('refuses what does not map, naming %s', (param, unmapped) => {
    const error = thrown(() => convertToImagenPredictRequest(unmapped, 'gemini'));
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect((error as UnsupportedFeatureError).param).toBe(param);
  });

  it('decodes the images, leaving out the filtered ones; none at all is a 400 naming the reason', () => {
    expect(decodeImagenPredictResponse(fixture('imagen-predict'), 'vertex-ai').data).toEqual([
      { b64Json: 'iVBORw0KGgo=' },
      { b64Json: 'iVBORw0KGgoB' },
    ]);
    const refused = thrown(() => decodeImagenPredictResponse({ predictions: [{ raiFilteredReason: 'filtered 39322892' }] }, 'gemini'));
    expect(refused).toBeInstanceOf(UpstreamFailure);
    expect((refused as UpstreamFailure).kind).toBe('BadRequest');
    expect((refused as UpstreamFailure).message).toContain('filtered 39322892');
  });
});

describe('Titan Image Generator', () => {
  it.each([
    [undefined, 'standard'],
    ['standard', 'standard'],
    ['hd', 'premium'],
    ['high', 'premium'],
    ['low', 'standard'],
  ])('maps quality %s to %s', (quality, titan) => {
    const body = convertToTitanImageRequest(request(quality === undefined ? { size: '512x512' } : { quality, size: '512x512' }), 'bedrock');
    expect(body).toEqual({
      taskType: 'TEXT_IMAGE',
      textToImageParams: { text: 'a lighthouse' },
      imageGenerationConfig: { numberOfImages: 1, quality: titan, width: 512, height: 512 },
    });
  });

  it('sends an unmasked edit as a variation of the images, and refuses a masked one', () => {
    const image = { field: 'image', filename: 'a.png', contentType: 'image/png', data: PNG };
    expect(convertToTitanImageRequest(request({ operation: 'edit', images: [image] }), 'bedrock')).toEqual({
      taskType: 'IMAGE_VARIATION',
      imageVariationParams: { text: 'a lighthouse', images: [Buffer.from(PNG).toString('base64')] },
      imageGenerationConfig: { numberOfImages: 1, quality: 'standard' },
    });
    const masked = thrown(() => convertToTitanImageRequest(request({ operation: 'edit', images: [image], mask: image }), 'bedrock'));
    expect((masked as UnsupportedFeatureError).param).toBe('mask');
  });

  it('decodes the images; an error in the answer is the upstream failing', () => {
    expect(decodeTitanImageResponse(fixture('titan-image'), 'bedrock').data).toEqual([
      { b64Json: 'iVBORw0KGgo=' },
      { b64Json: 'iVBORw0KGgoB' },
    ]);
    expect(thrown(() => decodeTitanImageResponse({ images: [], error: 'bad' }, 'bedrock'))).toBeInstanceOf(UpstreamFailure);
  });
});
