// The caller's OpenAI Images requests -> UnifiedImageRequest: POST /v1/images/generations (a
// JSON body) and POST /v1/images/edits (multipart/form-data: `image` or `image[]` once or
// several times, `mask`, and the other fields as text parts). Every problem is a 400 naming the
// field. Which values a model takes (sizes, qualities) is the upstream's to judge: they differ
// per model and change often, so only the shape is checked here.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { ImageUpload, UnifiedImageRequest } from '../../unified/images.js';
import { optionalBoolean, optionalNumber, optionalString, requireNonEmptyString, requireRecord } from '../request-fields/index.js';

/** OpenAI's bound on `n` for every image model (DALL-E 3 takes only 1; the upstream says so). */
const MAX_IMAGES_PER_REQUEST = 10;
/** Most input images one edit may carry: GPT Image's documented maximum. */
const MAX_EDIT_IMAGES = 16;

const SIZE = /^(?:auto|\d{2,5}x\d{2,5})$/;

function missing(field: string): never {
  throw invalidRequest(`Missing required parameter: '${field}'`, field);
}

/** The fields generations and edits share, from a JSON object or the text parts of a form. */
function readCommon(b: Record<string, unknown>, operation: 'generate' | 'edit', images: ImageUpload[]): UnifiedImageRequest {
  if (b.model === undefined || b.model === null) missing('model');
  const model = requireNonEmptyString(b.model, 'model');
  if (b.prompt === undefined || b.prompt === null) missing('prompt');
  const prompt = requireNonEmptyString(b.prompt, 'prompt');
  const request: UnifiedImageRequest = {
    kind: 'images',
    operation,
    model,
    prompt,
    n: optionalNumber(b.n, 'n', { integer: true, min: 1, max: MAX_IMAGES_PER_REQUEST }) ?? 1,
    stream: optionalBoolean(b.stream, 'stream') ?? false,
    images,
  };
  const size = optionalString(b.size, 'size');
  if (size !== undefined) {
    if (!SIZE.test(size)) throw invalidRequest(`'size' must be 'auto' or WIDTHxHEIGHT (such as '1024x1024'), got '${size}'`, 'size');
    request.size = size;
  }
  const responseFormat = optionalString(b.response_format, 'response_format');
  if (responseFormat !== undefined) {
    if (responseFormat !== 'url' && responseFormat !== 'b64_json')
      throw invalidRequest("'response_format' must be one of 'url', 'b64_json'", 'response_format');
    request.responseFormat = responseFormat;
  }
  const strings = [
    ['quality', 'quality'],
    ['style', 'style'],
    ['output_format', 'outputFormat'],
    ['background', 'background'],
    ['moderation', 'moderation'],
    ['input_fidelity', 'inputFidelity'],
    ['user', 'user'],
  ] as const;
  for (const [field, property] of strings) {
    const value = optionalString(b[field], field);
    if (value !== undefined) request[property] = value;
  }
  const compression = optionalNumber(b.output_compression, 'output_compression', { integer: true, min: 0, max: 100 });
  if (compression !== undefined) request.outputCompression = compression;
  if (request.stream) throw invalidRequest("'stream' is not supported for images by this gateway; send it without 'stream'", 'stream');
  return request;
}

export function decodeImageGenerationRequest(body: unknown): UnifiedImageRequest {
  return readCommon(requireRecord(body, 'body'), 'generate', []);
}

/** Text parts whose values are numbers or booleans in the JSON form. */
const NUMERIC_FIELDS = new Set(['n', 'output_compression', 'partial_images']);

/**
 * `form`: the parsed multipart body. Text parts become the same fields a JSON body has (numbers
 * and booleans parsed from their text); `image`/`image[]` and `mask` must be files.
 */
export async function decodeImageEditRequest(form: FormData): Promise<UnifiedImageRequest> {
  const fields: Record<string, unknown> = {};
  const images: ImageUpload[] = [];
  let mask: ImageUpload | undefined;
  for (const [name, value] of form.entries()) {
    if (name === 'image' || name === 'image[]' || name === 'mask') {
      if (typeof value === 'string') throw invalidRequest(`'${name}' must be a file upload, not a text field`, name);
      const upload: ImageUpload = {
        field: name,
        filename: value.name === '' ? `${name === 'mask' ? 'mask' : 'image'}.png` : value.name,
        contentType: value.type === '' ? 'image/png' : value.type,
        data: new Uint8Array(await value.arrayBuffer()),
      };
      if (upload.data.length === 0) throw invalidRequest(`'${name}' is an empty file`, name);
      if (name === 'mask') {
        if (mask !== undefined) throw invalidRequest("'mask' may be given once", 'mask');
        mask = upload;
      } else images.push(upload);
      continue;
    }
    if (typeof value !== 'string') throw invalidRequest(`'${name}' must be a text field, not a file`, name);
    fields[name] = textValue(name, value);
  }
  if (images.length === 0) missing('image');
  if (images.length > MAX_EDIT_IMAGES)
    throw invalidRequest(`'image' has ${images.length} files; at most ${MAX_EDIT_IMAGES} may be edited in one request`, 'image');
  const request = readCommon(fields, 'edit', images);
  if (mask !== undefined) request.mask = mask;
  return request;
}

function textValue(name: string, value: string): unknown {
  if (NUMERIC_FIELDS.has(name)) {
    const number = Number(value);
    return value.trim() === '' || !Number.isFinite(number) ? value : number;
  }
  if (name === 'stream') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}
