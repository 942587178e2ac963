// Gemini `tools[].functionDeclarations` + `toolConfig.functionCallingConfig` -> unified tools
// and tool choice.
//
//  - `parameters` (Gemini's schema) is converted to JSON Schema; `parametersJsonSchema` is JSON
//    Schema already and is taken as it is; a declaration without either takes no arguments
//  - built-in tools (googleSearch, codeExecution, urlContext, ...) have no unified meaning and are
//    refused with a 400 naming them, rather than silently answered without
//  - mode AUTO / MODE_UNSPECIFIED -> auto, NONE -> none, ANY -> required; ANY with one allowed
//    name -> that tool; ANY with several -> required, and only those tools are offered (the same
//    constraint in words every provider understands); VALIDATED -> auto (no unified equivalent of
//    Google's schema-constrained calls), allowed names filtering the tools likewise

import { invalidRequest } from '../../errors/gateway-error.js';
import { convertGeminiSchemaToJsonSchema } from './convert-gemini-schema-to-json-schema.js';
import { isRecord } from '@switchyard/compiler';
import type { JsonSchema, ToolChoice, UnifiedTool } from '../../unified/chat-request.js';
import { optionalString, requireArray, requireNonEmptyString, requireRecord } from '../request-fields/index.js';

export interface DecodedGeminiTools {
  tools?: UnifiedTool[];
  toolChoice?: ToolChoice;
}

const MODES = ['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'] as const;
type Mode = (typeof MODES)[number];

const NO_ARGUMENTS: JsonSchema = { type: 'object', properties: {} };

export function decodeGeminiTools(toolsValue: unknown, toolConfigValue: unknown): DecodedGeminiTools {
  const declared = decodeFunctionDeclarations(toolsValue);
  const config = decodeFunctionCallingConfig(toolConfigValue, declared);
  if (config === undefined) return declared.length === 0 ? {} : { tools: declared };

  const offered = config.allowed === undefined ? declared : declared.filter((tool) => config.allowed?.includes(tool.name));
  if (offered.length === 0) {
    if (config.mode === 'ANY') {
      throw invalidRequest(
        'toolConfig.functionCallingConfig.mode ANY requires a function call, but no functionDeclarations were given',
        'toolConfig.functionCallingConfig.mode',
      );
    }
    return {};
  }
  switch (config.mode) {
    case 'NONE':
      return { tools: offered, toolChoice: { type: 'none' } };
    case 'ANY':
      if (config.allowed?.length === 1 && offered[0] !== undefined)
        return { tools: offered, toolChoice: { type: 'tool', name: offered[0].name } };
      return { tools: offered, toolChoice: { type: 'required' } };
    default:
      return { tools: offered, toolChoice: { type: 'auto' } };
  }
}

function decodeFunctionDeclarations(value: unknown): UnifiedTool[] {
  if (value === undefined || value === null) return [];
  const tools: UnifiedTool[] = [];
  const names = new Set<string>();
  requireArray(value, 'tools').forEach((item, i) => {
    const path = `tools[${i}]`;
    const tool = requireRecord(item, path);
    for (const [field, setting] of Object.entries(tool)) {
      if (field === 'functionDeclarations' || setting === undefined || setting === null) continue;
      throw invalidRequest(
        `${path}.${field}: built-in tools are not supported by the gateway; declare functions in functionDeclarations`,
        `${path}.${field}`,
      );
    }
    if (tool.functionDeclarations === undefined || tool.functionDeclarations === null) return;
    requireArray(tool.functionDeclarations, `${path}.functionDeclarations`).forEach((declaration, j) => {
      const decoded = decodeFunctionDeclaration(declaration, `${path}.functionDeclarations[${j}]`);
      if (names.has(decoded.name)) {
        throw invalidRequest(
          `${path}.functionDeclarations[${j}].name: the function ${JSON.stringify(decoded.name)} is declared twice`,
          `${path}.functionDeclarations[${j}].name`,
        );
      }
      names.add(decoded.name);
      tools.push(decoded);
    });
  });
  return tools;
}

function decodeFunctionDeclaration(value: unknown, path: string): UnifiedTool {
  const declaration = requireRecord(value, path);
  const name = requireNonEmptyString(declaration.name, `${path}.name`);
  const tool: UnifiedTool = { name, parameters: decodeParameters(declaration, path) };
  const description = optionalString(declaration.description, `${path}.description`);
  if (description !== undefined && description !== '') tool.description = description;
  return tool;
}

function decodeParameters(declaration: Record<string, unknown>, path: string): JsonSchema {
  const geminiSchema = declaration.parameters ?? undefined;
  const jsonSchema = declaration.parametersJsonSchema ?? undefined;
  if (geminiSchema !== undefined && jsonSchema !== undefined) {
    throw invalidRequest(`${path}.parametersJsonSchema: give parameters or parametersJsonSchema, not both`, `${path}.parametersJsonSchema`);
  }
  if (jsonSchema !== undefined) {
    if (!isRecord(jsonSchema))
      throw invalidRequest(`${path}.parametersJsonSchema must be a JSON Schema object`, `${path}.parametersJsonSchema`);
    return jsonSchema;
  }
  if (geminiSchema === undefined) return NO_ARGUMENTS;
  return convertGeminiSchemaToJsonSchema(geminiSchema, `${path}.parameters`);
}

interface FunctionCallingConfig {
  mode: Mode;
  allowed: string[] | undefined;
}

function decodeFunctionCallingConfig(value: unknown, declared: UnifiedTool[]): FunctionCallingConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const toolConfig = requireRecord(value, 'toolConfig');
  if (toolConfig.functionCallingConfig === undefined || toolConfig.functionCallingConfig === null) return undefined;
  const path = 'toolConfig.functionCallingConfig';
  const config = requireRecord(toolConfig.functionCallingConfig, path);
  const mode = decodeMode(config.mode, `${path}.mode`);
  if (config.allowedFunctionNames === undefined || config.allowedFunctionNames === null) return { mode, allowed: undefined };

  if (mode !== 'ANY' && mode !== 'VALIDATED') {
    throw invalidRequest(
      `${path}.allowedFunctionNames may be set only with mode ANY or VALIDATED, not ${mode}`,
      `${path}.allowedFunctionNames`,
    );
  }
  const allowed = requireArray(config.allowedFunctionNames, `${path}.allowedFunctionNames`).map((name, k) => {
    const field = `${path}.allowedFunctionNames[${k}]`;
    const text = requireNonEmptyString(name, field);
    if (!declared.some((tool) => tool.name === text))
      throw invalidRequest(`${field}: no function named ${JSON.stringify(text)} is declared in tools`, field);
    return text;
  });
  return { mode, allowed: allowed.length === 0 ? undefined : allowed };
}

function decodeMode(value: unknown, path: string): Mode {
  if (value === undefined || value === null) return 'MODE_UNSPECIFIED';
  const mode = typeof value === 'string' ? value.toUpperCase() : value;
  if (typeof mode !== 'string' || !(MODES as readonly string[]).includes(mode)) {
    throw invalidRequest(`${path} must be one of ${MODES.join(', ')}, got ${JSON.stringify(value)}`, path);
  }
  return mode as Mode;
}
