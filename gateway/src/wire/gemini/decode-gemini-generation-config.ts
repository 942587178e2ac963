// Gemini `generationConfig` -> the unified request's sampling, output-format and reasoning
// options.
//
//  - responseMimeType application/json -> json_object, or json_schema named "response" when a
//    responseSchema (Gemini's schema, converted) or responseJsonSchema (JSON Schema) comes with it
//  - thinkingConfig: thinkingBudget N -> budgetTokens N (0 switches thinking off, -1 is Google's
//    "dynamic", i.e. no budget); thinkingLevel -> effort; includeThoughts alone -> reasoning with
//    the provider's defaults
//  - refused with a 400 naming the field, because the caller would get something other than it
//    asked for: candidateCount > 1, responseModalities other than TEXT, responseLogprobs,
//    logprobs, responseMimeType other than text/plain and application/json, a schema without
//    application/json
//  - ignored: mediaResolution, speechConfig (audio output is refused above), and fields added later

import { invalidRequest } from '../../errors/gateway-error.js';
import { convertGeminiSchemaToJsonSchema } from './convert-gemini-schema-to-json-schema.js';
import { isRecord, type JsonRecord } from '@switchyard/compiler';
import type { ReasoningOptions, ResponseFormat, UnifiedChatRequest } from '../../unified/chat-request.js';
import { optionalBoolean, optionalNumber, optionalString, requireArray, requireRecord, requireString } from '../request-fields/index.js';

export type GenerationOptions = Pick<
  UnifiedChatRequest,
  | 'maxOutputTokens'
  | 'temperature'
  | 'topP'
  | 'topK'
  | 'stopSequences'
  | 'seed'
  | 'presencePenalty'
  | 'frequencyPenalty'
  | 'responseFormat'
  | 'reasoning'
>;

const PATH = 'generationConfig';
const THINKING_LEVELS = ['minimal', 'low', 'medium', 'high'] as const;

export function decodeGeminiGenerationConfig(value: unknown): GenerationOptions {
  if (value === undefined || value === null) return {};
  const config = requireRecord(value, PATH);
  rejectUnsupported(config);
  const options: GenerationOptions = {};
  const set = <K extends keyof GenerationOptions>(key: K, setting: GenerationOptions[K] | undefined): void => {
    if (setting !== undefined) options[key] = setting;
  };
  set('maxOutputTokens', optionalNumber(config.maxOutputTokens, `${PATH}.maxOutputTokens`, { integer: true, min: 1 }));
  set('temperature', optionalNumber(config.temperature, `${PATH}.temperature`, { min: 0, max: 2 }));
  set('topP', optionalNumber(config.topP, `${PATH}.topP`, { min: 0, max: 1 }));
  set('topK', optionalNumber(config.topK, `${PATH}.topK`, { integer: true, min: 1 }));
  set('seed', optionalNumber(config.seed, `${PATH}.seed`, { integer: true }));
  set('presencePenalty', optionalNumber(config.presencePenalty, `${PATH}.presencePenalty`, { min: -2, max: 2 }));
  set('frequencyPenalty', optionalNumber(config.frequencyPenalty, `${PATH}.frequencyPenalty`, { min: -2, max: 2 }));
  set('stopSequences', decodeStopSequences(config.stopSequences));
  set('responseFormat', decodeResponseFormat(config));
  set('reasoning', decodeThinkingConfig(config.thinkingConfig));
  return options;
}

function rejectUnsupported(config: JsonRecord): void {
  const candidates = optionalNumber(config.candidateCount, `${PATH}.candidateCount`, { integer: true, min: 1 });
  if (candidates !== undefined && candidates > 1) {
    throw invalidRequest(`${PATH}.candidateCount must be 1: the gateway returns one candidate`, `${PATH}.candidateCount`);
  }
  if (config.responseModalities !== undefined && config.responseModalities !== null) {
    requireArray(config.responseModalities, `${PATH}.responseModalities`).forEach((modality, i) => {
      const field = `${PATH}.responseModalities[${i}]`;
      if (requireString(modality, field).toUpperCase() !== 'TEXT') {
        throw invalidRequest(`${field}: only TEXT output is supported by the gateway, not ${JSON.stringify(modality)}`, field);
      }
    });
  }
  if (optionalBoolean(config.responseLogprobs, `${PATH}.responseLogprobs`) === true) {
    throw invalidRequest(`${PATH}.responseLogprobs is not supported by the gateway`, `${PATH}.responseLogprobs`);
  }
  if (config.logprobs !== undefined && config.logprobs !== null) {
    throw invalidRequest(`${PATH}.logprobs is not supported by the gateway`, `${PATH}.logprobs`);
  }
}

function decodeStopSequences(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const sequences = requireArray(value, `${PATH}.stopSequences`).map((item, i) => requireString(item, `${PATH}.stopSequences[${i}]`));
  return sequences.length === 0 ? undefined : sequences;
}

function decodeResponseFormat(config: JsonRecord): ResponseFormat | undefined {
  const mimeType = optionalString(config.responseMimeType, `${PATH}.responseMimeType`);
  const geminiSchema = config.responseSchema ?? undefined;
  const jsonSchema = config.responseJsonSchema ?? undefined;
  if (geminiSchema !== undefined && jsonSchema !== undefined) {
    throw invalidRequest(`${PATH}.responseJsonSchema: give responseSchema or responseJsonSchema, not both`, `${PATH}.responseJsonSchema`);
  }
  const hasSchema = geminiSchema !== undefined || jsonSchema !== undefined;
  if (mimeType === undefined || mimeType === '' || mimeType === 'text/plain') {
    if (hasSchema) {
      throw invalidRequest(`${PATH}.responseMimeType must be application/json when a response schema is given`, `${PATH}.responseMimeType`);
    }
    return undefined;
  }
  if (mimeType !== 'application/json') {
    throw invalidRequest(
      `${PATH}.responseMimeType ${JSON.stringify(mimeType)} is not supported by the gateway; use text/plain or application/json`,
      `${PATH}.responseMimeType`,
    );
  }
  if (jsonSchema !== undefined) {
    if (!isRecord(jsonSchema))
      throw invalidRequest(`${PATH}.responseJsonSchema must be a JSON Schema object`, `${PATH}.responseJsonSchema`);
    return { type: 'json_schema', name: 'response', schema: jsonSchema };
  }
  if (geminiSchema !== undefined) {
    return { type: 'json_schema', name: 'response', schema: convertGeminiSchemaToJsonSchema(geminiSchema, `${PATH}.responseSchema`) };
  }
  return { type: 'json_object' };
}

function decodeThinkingConfig(value: unknown): ReasoningOptions | undefined {
  if (value === undefined || value === null) return undefined;
  const path = `${PATH}.thinkingConfig`;
  const thinking = requireRecord(value, path);
  const includeThoughts = optionalBoolean(thinking.includeThoughts, `${path}.includeThoughts`);
  const budget = optionalNumber(thinking.thinkingBudget, `${path}.thinkingBudget`, { integer: true, min: -1 });
  const level = decodeThinkingLevel(thinking.thinkingLevel, `${path}.thinkingLevel`);
  if (budget !== undefined && level !== undefined) {
    throw invalidRequest(`${path}.thinkingLevel: give thinkingBudget or thinkingLevel, not both`, `${path}.thinkingLevel`);
  }
  if (level !== undefined) return { effort: level };
  if (budget !== undefined && budget >= 0) return { budgetTokens: budget };
  return budget === -1 || includeThoughts === true ? {} : undefined;
}

function decodeThinkingLevel(value: unknown, path: string): ReasoningOptions['effort'] {
  const level = optionalString(value, path);
  if (level === undefined || level.toUpperCase() === 'THINKING_LEVEL_UNSPECIFIED') return undefined;
  const lower = level.toLowerCase();
  if (!(THINKING_LEVELS as readonly string[]).includes(lower)) {
    throw invalidRequest(`${path} must be one of MINIMAL, LOW, MEDIUM, HIGH, got ${JSON.stringify(level)}`, path);
  }
  return lower as ReasoningOptions['effort'];
}
