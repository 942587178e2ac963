// `:generateContent` / `:streamGenerateContent` body -> UnifiedChatRequest. The model comes from
// the path (`models/{model}:generateContent`), streaming from the method.
//
//  - safetySettings -> providerOptions.gemini.safetySettings: sent to Gemini backends, dropped
//    for every other provider (they have no per-request safety thresholds)
//  - cachedContent -> providerOptions.gemini.cachedContent: a context cache lives in one Google
//    project, so routing sends the request only to a backend that can read that kind of name
//    (`cachedContents/{id}`: Gemini API; `projects/.../cachedContents/{id}`: Gemini on Vertex AI)
//    and keeps it on one backend and credential (docs/routing.md, "Gemini context caches")
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
  const system = decodeGeminiSystemInstruction(b.systemInstruction);
  const messages: UnifiedMessage[] = [...(system === undefined ? [] : [system]), ...decodeGeminiContents(b.contents)];
  const request: UnifiedChatRequest = { model, messages, stream, ...decodeGeminiGenerationConfig(b.generationConfig) };
  const { tools, toolChoice } = decodeGeminiTools(b.tools, b.toolConfig);
  if (tools !== undefined) request.tools = tools;
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  const safetySettings = decodeSafetySettings(b.safetySettings);
  const cachedContent = decodeCachedContent(b.cachedContent);
  if (safetySettings !== undefined || cachedContent !== undefined) {
    request.providerOptions = {
      gemini: { ...(safetySettings === undefined ? {} : { safetySettings }), ...(cachedContent === undefined ? {} : { cachedContent }) },
    };
  }
  return request;
}

/** A Gemini API cache (`cachedContents/{id}`) or a Vertex AI one (`projects/{p}/locations/{l}/cachedContents/{id}`). */
const CACHED_CONTENT_NAME = /^(?:projects\/[A-Za-z0-9._-]+\/locations\/[A-Za-z0-9._-]+\/)?cachedContents\/[A-Za-z0-9._-]+$/;

function decodeCachedContent(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const name = requireNonEmptyString(value, 'cachedContent');
  if (!CACHED_CONTENT_NAME.test(name)) {
    throw invalidRequest(
      'cachedContent must name a context cache: cachedContents/{id} (Gemini API) or projects/{project}/locations/{location}/cachedContents/{id} (Vertex AI)',
      'cachedContent',
    );
  }
  return name;
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
