// Unified chat request -> Bedrock Converse request body. What has no Converse equivalent and is
// only a hint (seed, penalties, user, parallel_tool_calls, strict) is dropped; what would change
// the answer and cannot be honoured (URL media, unknown media types) is refused with a 400.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { CacheControl, ContentPart, UnifiedChatRequest, UnifiedTool } from '../../unified/chat-request.js';
import type {
  ConverseCachePointBlock,
  ConverseContentBlock,
  ConverseInferenceConfig,
  ConverseMessage,
  ConverseRequest,
  ConverseRole,
  ConverseSystemBlock,
  ConverseToolChoice,
  ConverseToolResultContent,
  ConverseToolSpec,
} from './converse-types.js';
import type { BackendTarget } from '../../unified/provider-codec.js';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';
import { convertDocumentToBedrock, convertImageToBedrock } from './convert-media-to-bedrock.js';
import { JSON_RESPONSE_TOOL_NAME, planJsonAnswer, type JsonAnswerPlan } from './bedrock-json-response-tool.js';
import { resolveThinkingBudget } from '../anthropic-messages/index.js';
import { isAnthropicModel } from './resolve-bedrock-thinking.js';

/** Anthropic's `cache_control` (unified cacheControl) -> a Converse cache point after the block, with its TTL. */
function cachePoint(cacheControl: CacheControl): ConverseCachePointBlock {
  return { cachePoint: cacheControl.ttl === undefined ? { type: 'default' } : { type: 'default', ttl: cacheControl.ttl } };
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
const EMPTY_TOOL_RESULT_TEXT = '(no output)';

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
        blocks.push({
          reasoningContent: { reasoningText: { text: part.text, ...(part.signature === undefined ? {} : { signature: part.signature }) } },
        });
      }
      break;
  }
  if ('cacheControl' in part && part.cacheControl && blocks.length > 0) blocks.push(cachePoint(part.cacheControl));
  return blocks;
}

function convertMessages(
  request: UnifiedChatRequest,
  state: ConversionState,
): { system: ConverseSystemBlock[]; messages: ConverseMessage[] } {
  const system: ConverseSystemBlock[] = [];
  const messages: ConverseMessage[] = [];
  request.messages.forEach((message, messageIndex) => {
    const at = `messages[${messageIndex}]`;
    if (message.role === 'system') {
      message.content.forEach((part, partIndex) => {
        if (part.type !== 'text')
          throw new UnsupportedFeatureError(`${part.type} content in a system message (${at}.content[${partIndex}])`, 'bedrock');
        if (isBlank(part.text)) return;
        system.push({ text: part.text });
        if (part.cacheControl) system.push(cachePoint(part.cacheControl));
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
function convertTools(request: UnifiedChatRequest, state: ConversionState, jsonAnswer: JsonAnswerPlan): ConverseRequest['toolConfig'] {
  const tools = request.tools ?? [];
  if (tools.some((tool) => tool.name === JSON_RESPONSE_TOOL_NAME)) {
    throw invalidRequest(`the tool name ${JSON_RESPONSE_TOOL_NAME} is reserved by the gateway for response_format on Bedrock`, 'tools');
  }
  const choice = request.toolChoice;
  if (choice?.type === 'tool' && !tools.some((tool) => tool.name === choice.name)) {
    throw invalidRequest(
      `tool_choice names the tool ${JSON.stringify(choice.name)}, which is not among the request's tools`,
      'tool_choice',
    );
  }

  const specs: ConverseToolSpec[] = choice?.type === 'none' ? [] : tools.map(toolSpec);
  let toolChoice: ConverseToolChoice | undefined;
  if (specs.length > 0) {
    if (choice?.type === 'required') toolChoice = { any: {} };
    else if (choice?.type === 'tool') toolChoice = { tool: { name: choice.name } };
    else if (choice?.type === 'auto') toolChoice = { auto: {} };
  }

  if (jsonAnswer?.kind === 'tool') {
    // A caller forcing one of its own tools keeps that (the JSON answer comes on a later turn);
    // beside other caller tools any tool will do; alone, the answer tool is forced.
    if (specs.length === 0) toolChoice = { tool: { name: JSON_RESPONSE_TOOL_NAME } };
    else if (choice?.type !== 'tool') toolChoice = { any: {} };
    specs.push(jsonAnswer.spec);
  }

  const declared = new Set(specs.map((spec) => spec.toolSpec.name));
  for (const name of state.toolNamesInHistory) {
    if (declared.has(name)) continue;
    const known = tools.find((tool) => tool.name === name);
    specs.push(
      known
        ? toolSpec(known)
        : { toolSpec: { name, description: 'A tool used earlier in this conversation.', inputSchema: { json: { type: 'object' } } } },
    );
    declared.add(name);
  }
  if (specs.length === 0) return undefined;
  // A tool's cache breakpoint is a cache point right after its spec (tools come first in the prefix).
  const breakpoints = new Map(tools.flatMap((tool) => (tool.cacheControl === undefined ? [] : [[tool.name, tool.cacheControl] as const])));
  const withCachePoints = specs.flatMap((spec): Array<ConverseToolSpec | ConverseCachePointBlock> => {
    const cacheControl = choice?.type === 'none' ? undefined : breakpoints.get(spec.toolSpec.name);
    return cacheControl === undefined ? [spec] : [spec, cachePoint(cacheControl)];
  });
  return { tools: withCachePoints, ...(toolChoice ? { toolChoice } : {}) };
}

export function convertToBedrockConverse(request: UnifiedChatRequest, target: BackendTarget): ConverseRequest {
  const state: ConversionState = { documentCount: 0, toolNamesInHistory: new Set() };
  const { system, messages } = convertMessages(request, state);
  const body: ConverseRequest = { messages };

  const anthropic = isAnthropicModel(target.backend.model);
  // Only Claude takes Anthropic's `thinking`; other models' reasoning settings are dropped.
  const thinkingBudget = anthropic ? resolveThinkingBudget(request) : undefined;
  const additional: Record<string, unknown> = {};
  const inference: ConverseInferenceConfig = {};
  if (thinkingBudget !== undefined) {
    additional['thinking'] = { type: 'enabled', budget_tokens: thinkingBudget };
    // Thinking leaves room for the answer on top of the budget unless the caller capped the total.
    inference.maxTokens = request.maxOutputTokens ?? target.defaultMaxTokens + thinkingBudget;
  } else {
    if (request.maxOutputTokens !== undefined) inference.maxTokens = request.maxOutputTokens;
    // Anthropic refuses sampling changes while extended thinking is on, so they only go without it.
    if (request.temperature !== undefined) inference.temperature = request.temperature;
    if (request.topP !== undefined) inference.topP = request.topP;
    if (anthropic && request.topK !== undefined) additional['top_k'] = request.topK;
  }
  if (request.stopSequences && request.stopSequences.length > 0) inference.stopSequences = [...request.stopSequences];

  const jsonAnswer = planJsonAnswer(request.responseFormat, thinkingBudget === undefined);
  if (jsonAnswer?.kind === 'instruction') system.push({ text: jsonAnswer.text });
  const toolConfig = convertTools(request, state, jsonAnswer);

  if (system.length > 0) body.system = system;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  if (toolConfig) body.toolConfig = toolConfig;
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional;
  return body;
}
