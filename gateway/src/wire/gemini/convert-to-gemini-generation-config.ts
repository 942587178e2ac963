// Unified sampling, output-format and reasoning options -> Gemini `generationConfig`.
//
// Reasoning: an explicit budget is sent as `thinkingBudget`. An effort level is sent as
// `thinkingLevel` to Gemini 3 and later, and as a budget to earlier models (the budgets Google's
// OpenAI-compatible endpoint uses: minimal/low 1024, medium 8192, high 24576). Asking for
// reasoning at all also sets `includeThoughts`, so the thought summaries come back as reasoning.

import type { ReasoningOptions, UnifiedChatRequest } from '../../unified/chat-request.js';
import { convertJsonSchemaToGeminiSchema } from './convert-json-schema-to-gemini-schema.js';
import type { GeminiGenerationConfig, GeminiThinkingConfig } from './gemini-wire-types.js';

const THINKING_BUDGET_BY_EFFORT: Record<NonNullable<ReasoningOptions['effort']>, number> = {
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24576,
};

/** Gemini major version of a model id (`gemini-2.5-flash` -> 2, `models/gemini-3-pro-preview` -> 3), if it has one. */
export function geminiModelGeneration(model: string): number | undefined {
  const match = /(?:^|\/)gemini-(\d+)(?:[.-]|$)/.exec(model);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function convertToGeminiGenerationConfig(request: UnifiedChatRequest, model: string): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {};
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) config.stopSequences = request.stopSequences;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;

  const format = request.responseFormat;
  if (format?.type === 'json_object') {
    config.responseMimeType = 'application/json';
  } else if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    config.responseSchema = convertJsonSchemaToGeminiSchema(format.schema, 'response_format.json_schema.schema');
  }

  const thinking = convertToThinkingConfig(request.reasoning, model);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return Object.keys(config).length === 0 ? undefined : config;
}

function convertToThinkingConfig(reasoning: ReasoningOptions | undefined, model: string): GeminiThinkingConfig | undefined {
  if (reasoning === undefined) return undefined;
  const config: GeminiThinkingConfig = {};
  if (reasoning.budgetTokens !== undefined) {
    config.thinkingBudget = reasoning.budgetTokens;
  } else if (reasoning.effort !== undefined) {
    const generation = geminiModelGeneration(model);
    if (generation !== undefined && generation >= 3) config.thinkingLevel = reasoning.effort;
    else config.thinkingBudget = THINKING_BUDGET_BY_EFFORT[reasoning.effort];
  }
  // A zero budget switches thinking off, leaving no thoughts to include.
  if (config.thinkingBudget !== 0) config.includeThoughts = true;
  return config;
}
