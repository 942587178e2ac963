// `:generateContent` / `:streamGenerateContent` body -> UnifiedChatRequest. The model comes from
// the path (`models/{model}:generateContent`), streaming from the method.
//
//  - safetySettings -> providerOptions.gemini.safetySettings: sent to Gemini backends, dropped
//    for every other provider (they have no per-request safety thresholds)
//  - cachedContent names a cache held in one Google project, which no route can promise to reach:
//    refused with a 400
//  - unknown top-level fields are ignored

import { invalidRequest } from '../../errors/gateway-error.js';
import type { JsonRecord } from '@switchyard/compiler';
import type { UnifiedChatRequest, UnifiedMessage } from '../../unified/chat-request.js';
import type { FrontDoorContext } from '../../unified/front-door-codec.js';
import { optionalString, requireArray, requireNonEmptyString, requireRecord } from '../request-fields/index.js';
import { decodeGeminiContents, decodeGeminiSystemInstruction } from './decode-gemini-contents.js';
import { decodeGeminiGenerationConfig } from './decode-gemini-generation-config.js';
import { decodeGeminiTools } from './decode-gemini-tools.js';
import { publicModelName } from './gemini-model-names.js';
import { geminiStreamFraming } from './gemini-stream-framing.js';

export function decodeGeminiGenerateContentRequest(body: unknown, context: FrontDoorContext): UnifiedChatRequest {
  const b = requireRecord(body, 'body');
  const stream = context.pathStream === true;
  // A bad `alt` fails before any work, like every other invalid field.
  if (stream) geminiStreamFraming(context);
  return decodeGenerateContentFields(b, modelFor(b, context), stream);
}

/** The fields of a GenerateContentRequest; `:countTokens` reuses this for its `generateContentRequest`. */
export function decodeGenerateContentFields(b: JsonRecord, model: string, stream: boolean): UnifiedChatRequest {
  if (b.cachedContent !== undefined && b.cachedContent !== null) {
    throw invalidRequest(
      'cachedContent is not supported by the gateway: a cache lives in one Google project, which a route cannot promise to reach',
      'cachedContent',
    );
  }
  const system = decodeGeminiSystemInstruction(b.systemInstruction);
  const messages: UnifiedMessage[] = [...(system === undefined ? [] : [system]), ...decodeGeminiContents(b.contents)];
  const request: UnifiedChatRequest = { model, messages, stream, ...decodeGeminiGenerationConfig(b.generationConfig) };
  const { tools, toolChoice } = decodeGeminiTools(b.tools, b.toolConfig);
  if (tools !== undefined) request.tools = tools;
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  const safetySettings = decodeSafetySettings(b.safetySettings);
  if (safetySettings !== undefined) request.providerOptions = { gemini: { safetySettings } };
  return request;
}

function modelFor(b: JsonRecord, context: FrontDoorContext): string {
  if (context.pathModel !== undefined && context.pathModel !== '') return publicModelName(context.pathModel);
  const model = optionalString(b.model, 'model');
  if (model === undefined || publicModelName(model) === '')
    throw invalidRequest('the model is missing: call /genai/v1beta/models/{model}:generateContent', 'model');
  return publicModelName(model);
}

function decodeSafetySettings(value: unknown): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  return requireArray(value, 'safetySettings').map((item, i) => {
    const path = `safetySettings[${i}]`;
    const setting = requireRecord(item, path);
    requireNonEmptyString(setting.category, `${path}.category`);
    requireNonEmptyString(setting.threshold, `${path}.threshold`);
    return setting;
  });
}
