// Unified tools and tool_choice -> Gemini `tools[].functionDeclarations` and
// `toolConfig.functionCallingConfig`. Gemini has no parallel-tool-calls switch, so
// `parallelToolCalls` is not sent (the model decides).

import { invalidRequest } from '../../errors/gateway-error.js';
import type { ToolChoice, UnifiedTool } from '../../unified/chat-request.js';
import { convertJsonSchemaToGeminiSchema, isEmptyObjectSchema } from './convert-json-schema-to-gemini-schema.js';
import type { GeminiFunctionDeclaration, GeminiTool, GeminiToolConfig } from './gemini-wire-types.js';

// Gemini's documented limit for function names.
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

interface GeminiToolsSection {
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
}

export function prepareGeminiTools(tools: UnifiedTool[] | undefined, toolChoice: ToolChoice | undefined): GeminiToolsSection {
  const declarations = (tools ?? []).map(convertToFunctionDeclaration);
  const section: GeminiToolsSection = {};
  if (declarations.length > 0) section.tools = [{ functionDeclarations: declarations }];
  if (toolChoice === undefined) return section;

  switch (toolChoice.type) {
    case 'auto':
      if (declarations.length > 0) section.toolConfig = { functionCallingConfig: { mode: 'AUTO' } };
      break;
    case 'none':
      if (declarations.length > 0) section.toolConfig = { functionCallingConfig: { mode: 'NONE' } };
      break;
    case 'required':
      if (declarations.length === 0) throw invalidRequest('tool_choice requires a tool call but no tools were given', 'tool_choice');
      section.toolConfig = { functionCallingConfig: { mode: 'ANY' } };
      break;
    case 'tool':
      if (!declarations.some((d) => d.name === toolChoice.name)) {
        throw invalidRequest(
          `tool_choice names the tool ${JSON.stringify(toolChoice.name)}, which is not among the given tools`,
          'tool_choice',
        );
      }
      section.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [toolChoice.name] } };
      break;
  }
  return section;
}

function convertToFunctionDeclaration(tool: UnifiedTool, index: number): GeminiFunctionDeclaration {
  if (!FUNCTION_NAME.test(tool.name)) {
    throw invalidRequest(
      `tools[${index}].name ${JSON.stringify(tool.name)} is not a valid Gemini function name (letters, digits, _ . : -, at most 64, not starting with a digit)`,
      `tools[${index}].name`,
    );
  }
  const declaration: GeminiFunctionDeclaration = { name: tool.name };
  if (tool.description !== undefined && tool.description !== '') declaration.description = tool.description;
  const parameters = convertJsonSchemaToGeminiSchema(tool.parameters, `tools[${index}].parameters`);
  // A function without arguments must omit `parameters`: Gemini rejects an OBJECT with no properties.
  if (!isEmptyObjectSchema(parameters)) declaration.parameters = parameters;
  return declaration;
}
