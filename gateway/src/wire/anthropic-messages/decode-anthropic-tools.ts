// `tools` and `tool_choice` -> unified tools, tool choice and parallel-call setting.
//
// Only custom tools (a name and an `input_schema`, `type` absent or "custom") can be served by
// every provider. Anthropic's server tools (web_search, web_fetch, code_execution, ...) and its
// schema-less client tools (bash, text_editor, computer, memory) exist only on Anthropic's API,
// so a request naming one is refused with a 400 naming the tool's type, not silently stripped.

import type { ToolChoice, UnifiedTool } from '../../unified/chat-request.js';
import {
  fieldError,
  fieldPath,
  optionalBoolean,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireRecord,
  requireOneOf,
} from './anthropic-request-fields.js';
import { isAbsent } from '../request-fields/index.js';
import { decodeCacheControl } from './decode-anthropic-content-blocks.js';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

export function decodeAnthropicTools(value: unknown): UnifiedTool[] | undefined {
  if (isAbsent(value)) return undefined;
  const items = requireArray(value, 'tools');
  if (items.length === 0) return undefined;
  return items.map((item, i) => decodeTool(item, fieldPath('tools', i)));
}

function decodeTool(item: unknown, path: string): UnifiedTool {
  const tool = requireRecord(item, path);
  const type = tool['type'];
  if (!isAbsent(type) && type !== 'custom') {
    if (typeof type !== 'string') throw fieldError(fieldPath(path, 'type'), 'Input should be a valid string');
    throw fieldError(
      fieldPath(path, 'type'),
      `tool type '${type}' is not supported by this gateway: Anthropic server and built-in tools run only on Anthropic's API; define a custom tool with a name and an input_schema instead`,
    );
  }
  const name = requireNonEmptyString(tool['name'], fieldPath(path, 'name'));
  if (!TOOL_NAME.test(name)) throw fieldError(fieldPath(path, 'name'), "String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
  const schemaPath = fieldPath(path, 'input_schema');
  const schema = requireRecord(tool['input_schema'], schemaPath);
  if (schema['type'] !== 'object') throw fieldError(fieldPath(schemaPath, 'type'), "Input should be 'object'");
  const decoded: UnifiedTool = { name, parameters: schema };
  const description = optionalString(tool['description'], fieldPath(path, 'description'));
  if (description !== undefined) decoded.description = description;
  const strict = optionalBoolean(tool['strict'], fieldPath(path, 'strict'));
  if (strict !== undefined) decoded.strict = strict;
  const cacheControl = decodeCacheControl(tool['cache_control'], fieldPath(path, 'cache_control'));
  if (cacheControl !== undefined) decoded.cacheControl = cacheControl;
  return decoded;
}

interface DecodedToolChoice {
  toolChoice: ToolChoice;
  /** `disable_parallel_tool_use: true` -> false. */
  parallelToolCalls?: boolean;
}

export function decodeAnthropicToolChoice(value: unknown, tools: readonly UnifiedTool[] | undefined): DecodedToolChoice | undefined {
  if (isAbsent(value)) return undefined;
  const choice = requireRecord(value, 'tool_choice');
  const type = requireOneOf(choice['type'], ['auto', 'any', 'tool', 'none'] as const, 'tool_choice.type');
  let toolChoice: ToolChoice;
  switch (type) {
    case 'auto':
      toolChoice = { type: 'auto' };
      break;
    case 'any':
      toolChoice = { type: 'required' };
      break;
    case 'none':
      toolChoice = { type: 'none' };
      break;
    case 'tool': {
      const name = requireNonEmptyString(choice['name'], 'tool_choice.name');
      if (!(tools ?? []).some((tool) => tool.name === name)) {
        throw fieldError('tool_choice.name', `tool '${name}' is not among the request's tools`);
      }
      toolChoice = { type: 'tool', name };
      break;
    }
  }
  const decoded: DecodedToolChoice = { toolChoice };
  if (type !== 'none') {
    const disableParallel = optionalBoolean(choice['disable_parallel_tool_use'], 'tool_choice.disable_parallel_tool_use');
    if (disableParallel !== undefined) decoded.parallelToolCalls = !disableParallel;
  }
  return decoded;
}
