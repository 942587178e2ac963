// UnifiedImageRequest <-> Imagen's `:predict` (the same body on Vertex AI and on the Gemini API):
//   request  {instances: [{prompt}], parameters: {sampleCount, aspectRatio, outputOptions}}
//   answer   {predictions: [{bytesBase64Encoded, mimeType}]}
// What maps: `prompt`, `n` (sampleCount), `size` (to the nearest of Imagen's aspect ratios; the
// image comes at Imagen's resolution for it), `output_format` png/jpeg and `output_compression`
// (JPEG quality). Imagen returns bytes only, so `response_format: url` is refused (400), as are
// edits (Imagen's editing is a different model and request), transparent backgrounds and WebP.
// `quality`, `style` and `user` have no Imagen counterpart and are not sent.

import type { ProviderName } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';
import type { GeneratedImage, UnifiedImageRequest, UnifiedImageResponse } from '../../unified/images.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { malformedImages } from './image-answers.js';
import { refuseUrlOutput } from './image-output.js';

const ASPECT_RATIOS: ReadonlyArray<[string, number]> = [
  ['1:1', 1],
  ['3:4', 3 / 4],
  ['4:3', 4 / 3],
  ['9:16', 9 / 16],
  ['16:9', 16 / 9],
];

/** `WIDTHxHEIGHT` -> the Imagen aspect ratio nearest to it (by the ratio's logarithm, so 2:1 and 1:2 are equally far from 1:1). */
function imagenAspectRatio(size: string): string | undefined {
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (match === null) return undefined;
  const ratio = Math.log(Number(match[1]) / Number(match[2]));
  let best = ASPECT_RATIOS[0] as [string, number];
  for (const candidate of ASPECT_RATIOS)
    if (Math.abs(Math.log(candidate[1]) - ratio) < Math.abs(Math.log(best[1]) - ratio)) best = candidate;
  return best[0];
}

export function convertToImagenPredictRequest(request: UnifiedImageRequest, provider: ProviderName): Record<string, unknown> {
  if (request.operation === 'edit')
    throw new UnsupportedFeatureError('image edits (/v1/images/edits) with an Imagen model', provider, 'image');
  refuseUrlOutput(request, provider);
  if (request.background === 'transparent')
    throw new UnsupportedFeatureError("'background: transparent' with an Imagen model", provider, 'background');
  const parameters: Record<string, unknown> = { sampleCount: request.n };
  const aspectRatio = request.size === undefined ? undefined : imagenAspectRatio(request.size);
  if (aspectRatio !== undefined) parameters.aspectRatio = aspectRatio;
  const format = request.outputFormat;
  if (format !== undefined && format !== 'png' && format !== 'jpeg')
    throw new UnsupportedFeatureError(`'output_format: ${format}' with an Imagen model (png and jpeg are)`, provider, 'output_format');
  if (format !== undefined || request.outputCompression !== undefined) {
    const outputOptions: Record<string, unknown> = { mimeType: format === 'jpeg' ? 'image/jpeg' : 'image/png' };
    if (request.outputCompression !== undefined && format === 'jpeg') outputOptions.compressionQuality = request.outputCompression;
    parameters.outputOptions = outputOptions;
  }
  return { instances: [{ prompt: request.prompt }], parameters };
}

/**
 * Predictions without bytes are images Imagen's safety filter removed (`raiFilteredReason`): they
 * are left out (and not charged: cost counts the images answered); an answer with no image at all
 * is the upstream refusing the prompt, a 400 to the caller naming the filter's reason.
 */
export function decodeImagenPredictResponse(body: unknown, provider: ProviderName): UnifiedImageResponse {
  if (!isRecord(body)) throw malformedImages(provider, 'not a JSON object');
  const predictions = body.predictions;
  if (predictions !== undefined && !Array.isArray(predictions)) throw malformedImages(provider, 'predictions is not an array');
  const data: GeneratedImage[] = [];
  let filtered: string | undefined;
  for (const prediction of predictions ?? []) {
    if (!isRecord(prediction)) continue;
    if (typeof prediction.bytesBase64Encoded === 'string') data.push({ b64Json: prediction.bytesBase64Encoded });
    else if (typeof prediction.raiFilteredReason === 'string') filtered = prediction.raiFilteredReason;
  }
  if (data.length === 0) throw imagesRefused(provider, filtered);
  return { created: Math.floor(Date.now() / 1000), data };
}

function imagesRefused(provider: ProviderName, reason: string | undefined): UpstreamFailure {
  return new UpstreamFailure('BadRequest', 400, `${provider} returned no image for this prompt: ${reason ?? 'every image was filtered'}`);
}
