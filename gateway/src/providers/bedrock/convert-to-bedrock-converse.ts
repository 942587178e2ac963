// Unified chat request -> Bedrock Converse request body. What has no Converse equivalent and is
// only a hint (seed, penalties, user, parallel_tool_calls, strict) is dropped; what would change
// the answer and cannot be honoured (URL media, unknown media types) is refused with a 400.

import { invalidRequest } from '../../errors/gateway-error.js';
import type {
  ContentPart,
  ReasoningOptions,
  UnifiedChatRequest,
  UnifiedTool,
} from '../../unified/chat-request.js';
import type {
  ConverseContentBlock,
  ConverseInferenceConfig,
  ConverseMessage,
  ConverseRequest,
  ConverseRole,
  ConverseSystemBlock,
  ConverseToolChoice,
  ConverseToolResultContent,
  ConverseToolSpec,
} from '../../formats/bedrock/converse-types.js';
import { type BackendTarget, UnsupportedFeatureError } from '../provider-adapter.js';
import { convertDocumentToBedrock, convertImageToBedrock } from './convert-media-to-bedrock.js';
import { JSON_RESPONSE_TOOL_NAME, jsonResponseToolSpec } from './bedrock-json-response-tool.js';

const CACHE_POINT = { cachePoint: { type: 'default' } } as const;

/** Thinking budgets for `reasoning.effort` when no explicit budget is given (Anthropic's minimum is 1024). */
export const THINKING_BUDGET_BY_EFFORT: Record<NonNullable<ReasoningOptions['effort']>, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
};

const MIN_THINKING_BUDGET = 1024;

/** Claude models take Anthropic-specific fields (`thinking`, `top_k`) through additionalModelRequestFields. */
function isAnthropicModel(modelId: string): boolean {
  return /(^|[.:/])anthropic\.claude/.test(modelId);
}

function parseToolArguments(text: string, where: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidRequest(`tool call arguments at ${where} are not valid JSON`, where);
  }
}

interface ConversionState {
  documentCount: number;
  toolNamesInHistory: Set<string>;
}

/** Stands in for a tool result with no content: Bedrock rejects blank text blocks, even inside tool results. */
export const EMPTY_TOOL_RESULT_TEXT = '(no output)';

function isBlank(text: string): boolean {
  return text.trim() === '';
}

function convertToolResultContent(part: Extract<ContentPart, { type: 'tool_result' }>, where: string): ConverseToolResultContent[] {
  const content: ConverseToolResultContent[] = [];
  part.content.forEach((item, index) => {
    if (item.type === 'image') content.push(convertImageToBedrock(item, `${where}.content[${index}]`));
    else if (!isBlank(item.text)) content.push({ text: item.text });
  });
  return content.length > 0 ? content : [{ text: EMPTY_TOOL_RESULT_TEXT }];
}

function convertPart(part: ContentPart, where: string, state: ConversionState): ConverseContentBlock[] {
  const blocks: ConverseContentBlock[] = [];
  switch (part.type) {
    case 'text':
      // Converse rejects blank (empty or whitespace-only) text blocks.
      if (!isBlank(part.text)) blocks.push({ text: part.text });
      break;
    case 'image':
      blocks.push(convertImageToBedrock(part, where));
      break;
    case 'document':
      state.documentCount += 1;
      blocks.push(convertDocumentToBedrock(part, where, `document ${state.documentCount}`));
      break;
    case 'tool_call':
      state.toolNamesInHistory.add(part.name);
      blocks.push({ toolUse: { toolUseId: part.id, name: part.name, input: parseToolArguments(part.arguments, where) } });
      break;
    case 'tool_result':
      if (part.toolName) state.toolNamesInHistory.add(part.toolName);
      blocks.push({
        toolResult: {
          toolUseId: part.toolCallId,
          content: convertToolResultContent(part, where),
          ...(part.isError ? { status: 'error' as const } : {}),
        },
      });
      break;
    case 'reasoning':
      if (part.redactedData !== undefined) blocks.push({ reasoningContent: { redactedContent: part.redactedData } });
      else if (part.text !== '' || part.signature !== undefined) {
        blocks.push({ reasoningContent: { reasoningText: { text: part.text, ...(part.signature === undefined ? {} : { signature: part.signature }) } } });
      }
      break;
  }
  if ('cacheControl' in part && part.cacheControl && blocks.length > 0) blocks.push(CACHE_POINT);
  return blocks;
}

function convertMessages(request: UnifiedChatRequest, state: ConversionState): { system: ConverseSystemBlock[]; messages: ConverseMessage[] } {
  const system: ConverseSystemBlock[] = [];
  const messages: ConverseMessage[] = [];
  request.messages.forEach((message, messageIndex) => {
    const at = `messages[${messageIndex}]`;
    if (message.role === 'system') {
      message.content.forEach((part, partIndex) => {
        if (part.type !== 'text') throw new UnsupportedFeatureError(`${part.type} content in a system message (${at}.content[${partIndex}])`, 'bedrock');
        if (isBlank(part.text)) return;
        system.push({ text: part.text });
        if (part.cacheControl) system.push(CACHE_POINT);
      });
      return;
    }
    const role: ConverseRole = message.role === 'assistant' ? 'assistant' : 'user';
    const content = message.content.flatMap((part, partIndex) => convertPart(part, `${at}.content[${partIndex}]`, state));
    if (content.length === 0) return;
    // Converse wants user and assistant turns to alternate; tool results are user content.
    const previous = messages[messages.length - 1];
    if (previous && previous.role === role) previous.content.push(...content);
    else messages.push({ role, content });
  });
  return { system, messages };
}

function toolSpec(tool: UnifiedTool): ConverseToolSpec {
  const schema = Object.keys(tool.parameters).length === 0 ? { type: 'object', properties: {} } : tool.parameters;
  return {
    toolSpec: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      inputSchema: { json: schema },
    },
  };
}

/**
 * Tools and tool choice. Converse has no `none`: the tools are left out instead. Bedrock
 * refuses toolUse/toolResult blocks without a toolConfig, so tools already used in the
 * conversation are always declared (from the request's tools, else with an open schema).
 */
function convertTools(request: UnifiedChatRequest, state: ConversionState): ConverseRequest['toolConfig'] {
  const tools = request.tools ?? [];
  if (tools.some((tool) => tool.name === JSON_RESPONSE_TOOL_NAME)) {
    throw invalidRequest(`the tool name ${JSON_RESPONSE_TOOL_NAME} is reserved by the gateway for response_format on Bedrock`, 'tools');
  }
  const choice = request.toolChoice;
  if (choice?.type === 'tool' && !tools.some((tool) => tool.name === choice.name)) {
    throw invalidRequest(`tool_choice names the tool ${JSON.stringify(choice.name)}, which is not among the request's tools`, 'tool_choice');
  }

  const specs: ConverseToolSpec[] = choice?.type === 'none' ? [] : tools.map(toolSpec);
  let toolChoice: ConverseToolChoice | undefined;
  if (specs.length > 0) {
    if (choice?.type === 'required') toolChoice = { any: {} };
    else if (choice?.type === 'tool') toolChoice = { tool: { name: choice.name } };
    else if (choice?.type === 'auto') toolChoice = { auto: {} };
  }

  const jsonTool = jsonResponseToolSpec(request.responseFormat);
  if (jsonTool) {
    // Alone, the answer tool is forced; beside caller tools the model must call one of them.
    toolChoice = specs.length === 0 ? { tool: { name: JSON_RESPONSE_TOOL_NAME } } : toolChoice && !('auto' in toolChoice) ? toolChoice : { any: {} };
    specs.push(jsonTool);
  }

  const declared = new Set(specs.map((spec) => spec.toolSpec.name));
  for (const name of state.toolNamesInHistory) {
    if (declared.has(name)) continue;
    const known = tools.find((tool) => tool.name === name);
    specs.push(known ? toolSpec(known) : { toolSpec: { name, description: 'A tool used earlier in this conversation.', inputSchema: { json: { type: 'object' } } } });
    declared.add(name);
  }
  if (specs.length === 0) return undefined;
  return { tools: specs, ...(toolChoice ? { toolChoice } : {}) };
}

function thinkingBudget(request: UnifiedChatRequest): number | undefined {
  const options = request.reasoning;
  if (!options) return undefined;
  if (options.budgetTokens !== undefined) return options.budgetTokens > 0 ? options.budgetTokens : undefined;
  return options.effort ? THINKING_BUDGET_BY_EFFORT[options.effort] : undefined;
}

export function convertToBedrockConverse(request: UnifiedChatRequest, target: BackendTarget): ConverseRequest {
  const state: ConversionState = { documentCount: 0, toolNamesInHistory: new Set() };
  const { system, messages } = convertMessages(request, state);
  const body: ConverseRequest = { messages };
  if (system.length > 0) body.system = system;

  const inference: ConverseInferenceConfig = {};
  const additional: Record<string, unknown> = {};
  let maxTokens = request.maxOutputTokens;

  const anthropic = isAnthropicModel(target.backend.model);
  let budget = anthropic ? thinkingBudget(request) : undefined;
  if (budget !== undefined) {
    // Anthropic counts thinking inside max_tokens and wants max_tokens > budget_tokens.
    maxTokens ??= target.defaultMaxTokens + budget;
    if (maxTokens <= budget) budget = maxTokens - 1;
    if (budget >= MIN_THINKING_BUDGET) additional['thinking'] = { type: 'enabled', budget_tokens: budget };
  }
  if (anthropic && request.topK !== undefined) additional['top_k'] = request.topK;

  if (maxTokens !== undefined) inference.maxTokens = maxTokens;
  if (request.temperature !== undefined) inference.temperature = request.temperature;
  if (request.topP !== undefined) inference.topP = request.topP;
  if (request.stopSequences && request.stopSequences.length > 0) inference.stopSequences = request.stopSequences;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const toolConfig = convertTools(request, state);
  if (toolConfig) body.toolConfig = toolConfig;
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional;
  return body;
}
