// UnifiedImageRequest <-> Amazon Titan Image Generator (v1 and v2) through Bedrock's InvokeModel:
//   generate  {taskType: TEXT_IMAGE, textToImageParams: {text}, imageGenerationConfig}
//   edit      {taskType: IMAGE_VARIATION, imageVariationParams: {text, images}, imageGenerationConfig}
//   answer    {images: [base64...], error}
// What maps: `prompt`, `n` (numberOfImages), `size` (width and height, as given: Titan accepts
// a fixed list of sizes and says which), `quality` (`hd` and `high` are Titan's `premium`, any
// other `standard`). An edit without a mask is a prompt-guided variation of the given images; a
// masked edit does not map (Titan's inpainting masks are black-and-white images, OpenAI's are
// transparency) and is refused (400), as is `response_format: url` (Titan returns bytes only).

import type { ProviderName } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';
import type { UnifiedImageRequest, UnifiedImageResponse } from '../../unified/images.js';
import { malformedImages } from './image-answers.js';
import { refuseUrlOutput } from './image-output.js';

/** Titan's quality for the caller's: premium for the high-end names OpenAI's models use. */
function titanQuality(quality: string | undefined): 'standard' | 'premium' {
  return quality === 'hd' || quality === 'high' || quality === 'premium' ? 'premium' : 'standard';
}

export function convertToTitanImageRequest(request: UnifiedImageRequest, provider: ProviderName): Record<string, unknown> {
  refuseUrlOutput(request, provider);
  if (request.mask !== undefined)
    throw new UnsupportedFeatureError("an edit with a 'mask' on Titan Image Generator (send the edit without one)", provider, 'mask');
  const config: Record<string, unknown> = { numberOfImages: request.n, quality: titanQuality(request.quality) };
  const match = request.size === undefined ? null : /^(\d+)x(\d+)$/.exec(request.size);
  if (match !== null) {
    config.width = Number(match[1]);
    config.height = Number(match[2]);
  }
  if (request.operation === 'edit')
    return {
      taskType: 'IMAGE_VARIATION',
      imageVariationParams: { text: request.prompt, images: request.images.map((image) => Buffer.from(image.data).toString('base64')) },
      imageGenerationConfig: config,
    };
  return { taskType: 'TEXT_IMAGE', textToImageParams: { text: request.prompt }, imageGenerationConfig: config };
}

export function decodeTitanImageResponse(body: unknown, provider: ProviderName): UnifiedImageResponse {
  if (!isRecord(body)) throw malformedImages(provider, 'not a JSON object');
  if (typeof body.error === 'string' && body.error !== '') throw malformedImages(provider, body.error);
  if (!Array.isArray(body.images) || body.images.length === 0) throw malformedImages(provider, 'no images array');
  const data = body.images.map((image, i) => {
    if (typeof image !== 'string') throw malformedImages(provider, `images[${i}] is not a base64 string`);
    return { b64Json: image };
  });
  return { created: Math.floor(Date.now() / 1000), data };
}
