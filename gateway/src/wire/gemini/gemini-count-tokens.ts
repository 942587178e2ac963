// `:countTokens`: body -> the unified request it describes, and the count -> Google's answer.
//
// The body is either `{contents}` or `{generateContentRequest: {contents, systemInstruction,
// tools, ...}}` (Google refuses both at once, and so does the gateway). The count is the
// gateway's estimate, not a tokenizer's: no route is called, so it costs nothing and works for
// every backend. It counts one token per four characters of text (system instruction, messages,
// tool declarations and call arguments, function responses) and 258 per image or file, Gemini's
// fixed charge for an image. Callers that need Google's exact count should send the
// request itself and read usageMetadata.

import { GatewayError, invalidRequest } from '../../errors/gateway-error.js';
import { decodeGenerateContentFields } from './decode-gemini-generate-content-request.js';
import { publicModelName } from './gemini-model-names.js';
import type { GeminiCountTokensResponse } from './gemini-wire-types.js';
import type { ContentPart, UnifiedChatRequest } from '../../unified/chat-request.js';
import type { CountTokensCodec, FrontDoorContext } from '../../unified/front-door-codec.js';
import { requireRecord } from '../request-fields/index.js';

const CHARACTERS_PER_TOKEN = 4;
const TOKENS_PER_MEDIA_PART = 258;

export function decodeGeminiCountTokensRequest(body: unknown, context: FrontDoorContext): UnifiedChatRequest {
  const b = requireRecord(body, 'body');
  const hasContents = b.contents !== undefined && b.contents !== null;
  const hasRequest = b.generateContentRequest !== undefined && b.generateContentRequest !== null;
  if (hasContents && hasRequest) throw invalidRequest('give contents or generateContentRequest, not both', 'generateContentRequest');
  const pathModel = context.pathModel === undefined ? '' : publicModelName(context.pathModel);
  if (pathModel === '') throw invalidRequest('the model is missing: call /genai/v1beta/models/{model}:countTokens', 'model');
  if (hasRequest) {
    const inner = requireRecord(b.generateContentRequest, 'generateContentRequest');
    try {
      return decodeGenerateContentFields(inner, pathModel, false);
    } catch (error) {
      throw nestedField(error, 'generateContentRequest.');
    }
  }
  return decodeGenerateContentFields({ contents: b.contents }, pathModel, false);
}

export function estimateGeminiPromptTokens(request: UnifiedChatRequest): number {
  let characters = 0;
  let media = 0;
  for (const message of request.messages) {
    for (const part of message.content) {
      characters += partCharacters(part);
      if (part.type === 'image' || (part.type === 'document' && part.source.kind !== 'text')) media += 1;
      if (part.type === 'tool_result') media += part.content.filter((inner) => inner.type === 'image').length;
    }
  }
  for (const tool of request.tools ?? [])
    characters += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters).length;
  return Math.ceil(characters / CHARACTERS_PER_TOKEN) + media * TOKENS_PER_MEDIA_PART;
}

function encodeGeminiCountTokensResponse(totalTokens: number): GeminiCountTokensResponse {
  return { totalTokens };
}

/** `:countTokens` for the pipeline, which authorizes the path's model as for a real request. */
export const geminiCountTokensCodec: CountTokensCodec = {
  decodeCountTokensRequest: decodeGeminiCountTokensRequest,
  estimateInputTokens: estimateGeminiPromptTokens,
  encodeCountTokensResponse: (totalTokens) => JSON.stringify(encodeGeminiCountTokensResponse(totalTokens)),
};

/** Errors inside generateContentRequest name their field from the top of the body. */
function nestedField(error: unknown, prefix: string): unknown {
  if (!(error instanceof GatewayError) || error.param === undefined) return error;
  const param = error.param;
  const options = error.code === undefined ? { param: prefix + param } : { param: prefix + param, code: error.code };
  return new GatewayError(error.kind, error.message.split(param).join(prefix + param), options);
}

function partCharacters(part: ContentPart): number {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.text.length;
    case 'tool_call':
      return part.name.length + part.arguments.length;
    case 'tool_result':
      return part.content.reduce((sum, inner) => sum + (inner.type === 'text' ? inner.text.length : 0), 0);
    case 'document':
      return part.source.kind === 'text' ? part.source.text.length : 0;
    case 'image':
      return 0;
  }
}
