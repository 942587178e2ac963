// The whole unified chat request -> one Gemini GenerateContentRequest body (the same body for
// `:generateContent` and `:streamGenerateContent`; the Gemini and Vertex AI adapters share it).

import { invalidRequest } from '../../errors/gateway-error.js';
import type { UnifiedChatRequest } from '../../unified/chat-request.js';
import { convertToGeminiContents } from './convert-to-gemini-contents.js';
import { convertToGeminiGenerationConfig, geminiModelGeneration } from './convert-to-gemini-generation-config.js';
import type { GeminiGenerateContentRequest, GeminiSafetySetting } from './gemini-wire-types.js';
import { prepareGeminiTools } from './prepare-gemini-tools.js';

/** `model` is the provider-side model id; it decides version-specific encodings (thinking, signatures). */
export function encodeGeminiGenerateContentRequest(request: UnifiedChatRequest, model: string): GeminiGenerateContentRequest {
  const generation = geminiModelGeneration(model);
  // Unknown ids (`gemini-flash-latest`, tuned models) may point at a Gemini 3 model.
  const prompt = convertToGeminiContents(request.messages, { requireFunctionCallSignatures: generation === undefined || generation >= 3 });
  const body: GeminiGenerateContentRequest = { contents: prompt.contents };
  if (prompt.systemInstruction !== undefined) body.systemInstruction = prompt.systemInstruction;

  const { tools, toolConfig } = prepareGeminiTools(request.tools, request.toolChoice);
  if (tools !== undefined) body.tools = tools;
  if (toolConfig !== undefined) body.toolConfig = toolConfig;

  const generationConfig = convertToGeminiGenerationConfig(request, model);
  if (generationConfig !== undefined) body.generationConfig = generationConfig;

  const safetySettings = request.providerOptions?.gemini?.safetySettings;
  if (safetySettings !== undefined) body.safetySettings = validateSafetySettings(safetySettings);
  // Routing sent this request only to a backend that can read the name (pipeline/routing-features.ts).
  const cachedContent = request.providerOptions?.gemini?.cachedContent;
  if (cachedContent !== undefined) body.cachedContent = cachedContent;
  return body;
}

function validateSafetySettings(settings: unknown[]): GeminiSafetySetting[] {
  if (!Array.isArray(settings)) throw invalidRequest('safetySettings must be a list', 'safetySettings');
  return settings.map((setting, i) => {
    if (
      typeof setting !== 'object' ||
      setting === null ||
      typeof (setting as { category?: unknown }).category !== 'string' ||
      typeof (setting as { threshold?: unknown }).threshold !== 'string'
    ) {
      throw invalidRequest(`safetySettings[${i}] must be an object with string category and threshold`, `safetySettings[${i}]`);
    }
    const { category, threshold } = setting as GeminiSafetySetting;
    return { category, threshold };
  });
}
