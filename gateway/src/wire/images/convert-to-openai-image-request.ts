// UnifiedImageRequest -> OpenAI's Images API (also Azure OpenAI's, which takes the same bodies on
// its deployment URLs): a JSON body for /images/generations, a multipart body for /images/edits.
// Only the fields the caller set are sent, so each model keeps its own defaults.

import type { UnifiedImageRequest } from '../../unified/images.js';
import { encodeMultipart, type MultipartBody, type MultipartPart } from './multipart-body.js';

/** The optional fields as OpenAI names them; undefined values are left out. */
function optionalFields(request: UnifiedImageRequest): Array<[string, string | number]> {
  const fields: Array<[string, string | number | undefined]> = [
    ['size', request.size],
    ['quality', request.quality],
    ['style', request.style],
    ['response_format', request.responseFormat],
    ['output_format', request.outputFormat],
    ['output_compression', request.outputCompression],
    ['background', request.background],
    ['moderation', request.moderation],
    ['input_fidelity', request.inputFidelity],
    ['user', request.user],
  ];
  return fields.filter((field): field is [string, string | number] => field[1] !== undefined);
}

/** `model`: the upstream model id, or undefined where the URL names it (Azure deployments). */
export function convertToOpenAIImageGeneration(request: UnifiedImageRequest, model: string | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (model !== undefined) body.model = model;
  body.prompt = request.prompt;
  if (request.n !== 1) body.n = request.n;
  for (const [name, value] of optionalFields(request)) body[name] = value;
  return body;
}

/** Several images go as repeated `image[]` parts, as OpenAI's SDKs send them; one as `image`. */
export function convertToOpenAIImageEdit(request: UnifiedImageRequest, model: string | undefined): MultipartBody {
  const parts: MultipartPart[] = [];
  if (model !== undefined) parts.push({ name: 'model', value: model });
  parts.push({ name: 'prompt', value: request.prompt });
  const imageField = request.images.length === 1 ? 'image' : 'image[]';
  for (const image of request.images)
    parts.push({ name: imageField, value: { filename: image.filename, contentType: image.contentType, data: image.data } });
  const mask = request.mask;
  if (mask !== undefined) parts.push({ name: 'mask', value: { filename: mask.filename, contentType: mask.contentType, data: mask.data } });
  if (request.n !== 1) parts.push({ name: 'n', value: String(request.n) });
  for (const [name, value] of optionalFields(request)) parts.push({ name, value: String(value) });
  return encodeMultipart(parts);
}
