// UnifiedImageResponse -> the caller's OpenAI ImagesResponse: `created`, `data[]` with
// `b64_json` or `url` (and DALL-E 3's `revised_prompt`), the GPT Image echo fields when the
// upstream sent them, and `usage` when the upstream reported tokens.

import type { UnifiedImageResponse } from '../../unified/images.js';

export function encodeImageResponse(response: UnifiedImageResponse): string {
  const data = response.data.map((image) => {
    const item: Record<string, unknown> = {};
    if (image.b64Json !== undefined) item.b64_json = image.b64Json;
    if (image.url !== undefined) item.url = image.url;
    if (image.revisedPrompt !== undefined) item.revised_prompt = image.revisedPrompt;
    return item;
  });
  const answer: Record<string, unknown> = { created: response.created, data };
  if (response.background !== undefined) answer.background = response.background;
  if (response.outputFormat !== undefined) answer.output_format = response.outputFormat;
  if (response.size !== undefined) answer.size = response.size;
  if (response.quality !== undefined) answer.quality = response.quality;
  const usage = response.usage;
  if (usage !== undefined) {
    answer.usage = {
      total_tokens: usage.inputTokens + usage.outputTokens,
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      input_tokens_details: { text_tokens: usage.inputTextTokens ?? 0, image_tokens: usage.inputImageTokens ?? 0 },
    };
  }
  return JSON.stringify(answer);
}
