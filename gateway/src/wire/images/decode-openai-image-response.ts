// OpenAI's (and Azure OpenAI's) ImagesResponse -> UnifiedImageResponse. GPT Image models report
// `usage` in tokens (input split into text and image tokens), which is what they are billed by;
// DALL-E reports none and is billed per image.

import type { ProviderName } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import type { GeneratedImage, ImageTokenUsage, UnifiedImageResponse } from '../../unified/images.js';
import { countOrUndefined, malformedImages } from './image-answers.js';

export function decodeOpenAIImageResponse(body: unknown, provider: ProviderName): UnifiedImageResponse {
  if (!isRecord(body)) throw malformedImages(provider, 'not a JSON object');
  if (!Array.isArray(body.data)) throw malformedImages(provider, 'no data array');
  const data = body.data.map((item, i): GeneratedImage => {
    if (!isRecord(item)) throw malformedImages(provider, `data[${i}] is not an object`);
    const image: GeneratedImage = {};
    if (typeof item.b64_json === 'string') image.b64Json = item.b64_json;
    if (typeof item.url === 'string') image.url = item.url;
    if (image.b64Json === undefined && image.url === undefined) throw malformedImages(provider, `data[${i}] has neither b64_json nor url`);
    if (typeof item.revised_prompt === 'string') image.revisedPrompt = item.revised_prompt;
    return image;
  });
  const response: UnifiedImageResponse = {
    created: typeof body.created === 'number' && Number.isFinite(body.created) ? body.created : Math.floor(Date.now() / 1000),
    data,
  };
  const usage = readUsage(body.usage);
  if (usage !== undefined) response.usage = usage;
  for (const [field, property] of [
    ['background', 'background'],
    ['output_format', 'outputFormat'],
    ['size', 'size'],
    ['quality', 'quality'],
  ] as const) {
    const value = body[field];
    if (typeof value === 'string') response[property] = value;
  }
  return response;
}

function readUsage(value: unknown): ImageTokenUsage | undefined {
  if (!isRecord(value)) return undefined;
  const inputTokens = countOrUndefined(value.input_tokens);
  const outputTokens = countOrUndefined(value.output_tokens);
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const usage: ImageTokenUsage = { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 };
  const details = isRecord(value.input_tokens_details) ? value.input_tokens_details : undefined;
  const text = countOrUndefined(details?.text_tokens);
  const image = countOrUndefined(details?.image_tokens);
  if (text !== undefined) usage.inputTextTokens = text;
  if (image !== undefined) usage.inputImageTokens = image;
  return usage;
}
