// Unified chat request -> Anthropic Messages request body. The mapping, and what is dropped or
// refused, is tabulated in docs/providers/anthropic.md; keep the two in step.

import { invalidRequest } from '../../errors/gateway-error.js';
import type {
  AnthropicAssistantContentBlock,
  AnthropicCacheControl,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicImageSource,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
  AnthropicUserContentBlock,
} from './anthropic-messages-types.js';
import { parseToolCallInput } from './tool-call-input.js';
import type {
  CacheControl,
  ContentPart,
  DocumentPart,
  ImagePart,
  JsonSchema,
  MediaSource,
  ResponseFormat,
  ToolResultPart,
  UnifiedChatRequest,
  UnifiedMessage,
  UnifiedTool,
} from '../../unified/chat-request.js';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';
import { JSON_RESPONSE_TOOL_NAME } from './json-response-tool.js';
import { resolveThinkingBudget } from './anthropic-thinking-budget.js';

interface AnthropicRequestDefaults {
  /** Provider-side model id. */
  model: string;
  /** Sent as max_tokens when the caller gave none (Anthropic requires it). */
  defaultMaxTokens: number;
}

export function convertToAnthropicMessagesRequest(
  request: UnifiedChatRequest,
  defaults: AnthropicRequestDefaults,
): AnthropicMessagesRequest {
  const system: AnthropicTextBlock[] = [];
  const messages: AnthropicMessageParam[] = [];
  request.messages.forEach((message, index) => {
    if (message.role === 'system') {
      system.push(...systemBlocks(message, index));
      return;
    }
    appendMessage(messages, convertMessage(message, index));
  });
  for (const message of messages) {
    if (message.role === 'user') message.content = toolResultsFirst(message.content);
  }
  trimFinalAssistantWhitespace(messages);
  if (messages.length === 0) {
    throw invalidRequest('messages must contain at least one user or assistant message besides system messages', 'messages');
  }

  const maxTokens = request.maxOutputTokens;
  const thinkingBudget = resolveThinkingBudget(request);
  const body: AnthropicMessagesRequest = { model: defaults.model, max_tokens: maxTokens ?? defaults.defaultMaxTokens, messages };
  if (thinkingBudget !== undefined) {
    body.thinking = { type: 'enabled', budget_tokens: thinkingBudget };
    // Thinking leaves room for the answer on top of the budget unless the caller capped the total.
    if (maxTokens === undefined) body.max_tokens = defaults.defaultMaxTokens + thinkingBudget;
  }

  const tools = request.tools?.map((tool, index) => convertTool(tool, index));
  const hasTools = tools !== undefined && tools.length > 0;
  // A choice naming a tool is checked even without tools; other choices mean nothing without them.
  let toolChoice = hasTools || request.toolChoice?.type === 'tool' ? convertToolChoice(request, tools ?? []) : undefined;

  const jsonAnswer = planJsonAnswer(request.responseFormat, thinkingBudget !== undefined);
  if (jsonAnswer?.kind === 'tool') {
    const callerTools = tools ?? [];
    body.tools = [...callerTools, jsonAnswer.tool];
    toolChoice = jsonAnswerToolChoice(request, callerTools.length > 0);
  } else if (hasTools) {
    body.tools = tools;
  }
  if (jsonAnswer?.kind === 'instruction') system.push({ type: 'text', text: jsonAnswer.text });
  if (toolChoice !== undefined) body.tool_choice = toolChoice;

  if (system.length > 0) body.system = system;
  if (thinkingBudget === undefined) {
    // Anthropic refuses sampling changes while extended thinking is on, so they only go without it.
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (request.topK !== undefined) body.top_k = request.topK;
  }
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) body.stop_sequences = [...request.stopSequences];
  const userId = request.user ?? metadataUserId(request);
  if (userId !== undefined) body.metadata = { user_id: userId };
  if (request.stream) body.stream = true;
  return body;
}

function systemBlocks(message: UnifiedMessage, index: number): AnthropicTextBlock[] {
  const blocks: AnthropicTextBlock[] = [];
  message.content.forEach((part, partIndex) => {
    if (part.type !== 'text') {
      throw invalidRequest(
        `messages[${index}]: a system message may only contain text, found ${part.type} at content[${partIndex}]`,
        `messages[${index}].content`,
      );
    }
    if (part.text !== '') blocks.push(textBlock(part.text, part.cacheControl));
  });
  return blocks;
}

function convertMessage(message: UnifiedMessage, index: number): AnthropicMessageParam {
  switch (message.role) {
    case 'assistant':
      return { role: 'assistant', content: assistantBlocks(message.content, index) };
    case 'tool':
      return { role: 'user', content: toolMessageBlocks(message.content, index) };
    default:
      return { role: 'user', content: userBlocks(message.content, index) };
  }
}

function userBlocks(parts: ContentPart[], index: number): AnthropicUserContentBlock[] {
  const blocks: AnthropicUserContentBlock[] = [];
  parts.forEach((part, partIndex) => {
    switch (part.type) {
      case 'text':
        if (part.text !== '') blocks.push(textBlock(part.text, part.cacheControl));
        return;
      case 'image':
        blocks.push(imageBlock(part));
        return;
      case 'document':
        blocks.push(documentBlock(part, index, partIndex));
        return;
      case 'tool_result':
        blocks.push(toolResultBlock(part, index));
        return;
      case 'reasoning':
        // Reasoning is the model's own output; in a user turn it has no meaning to Anthropic.
        return;
      case 'tool_call':
        throw invalidRequest(`messages[${index}]: tool calls may only appear in assistant messages`, `messages[${index}].content`);
    }
  });
  return blocks;
}

function toolMessageBlocks(parts: ContentPart[], index: number): AnthropicUserContentBlock[] {
  return parts.map((part) => {
    if (part.type !== 'tool_result') {
      throw invalidRequest(
        `messages[${index}]: a tool message may only contain tool results, found ${part.type}`,
        `messages[${index}].content`,
      );
    }
    return toolResultBlock(part, index);
  });
}

function assistantBlocks(parts: ContentPart[], index: number): AnthropicAssistantContentBlock[] {
  const blocks: AnthropicAssistantContentBlock[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') blocks.push(textBlock(part.text, part.cacheControl));
        break;
      case 'tool_call': {
        const parsed = parseToolCallInput(part.arguments);
        if (!parsed.ok) {
          throw invalidRequest(
            `messages[${index}]: tool call ${JSON.stringify(part.name)} (id ${JSON.stringify(part.id)}): ${parsed.problem}`,
            `messages[${index}].tool_calls`,
          );
        }
        blocks.push({ type: 'tool_use', id: part.id, name: part.name, input: parsed.input });
        break;
      }
      case 'reasoning':
        if (part.redactedData !== undefined) blocks.push({ type: 'redacted_thinking', data: part.redactedData });
        // Anthropic verifies thinking by its signature; unsigned reasoning (another provider's) is dropped.
        else if (part.signature !== undefined && part.signature !== '')
          blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature });
        break;
      case 'image':
      case 'document':
      case 'tool_result':
        throw invalidRequest(`messages[${index}]: an assistant message may not contain ${part.type} content`, `messages[${index}].content`);
    }
  }
  return blocks;
}

function textBlock(text: string, cacheControl: CacheControl | undefined): AnthropicTextBlock {
  return withCacheControl<AnthropicTextBlock>({ type: 'text', text }, cacheControl);
}

function withCacheControl<T extends { cache_control?: AnthropicCacheControl }>(block: T, cacheControl: CacheControl | undefined): T {
  if (cacheControl !== undefined) {
    block.cache_control = cacheControl.ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: cacheControl.ttl };
  }
  return block;
}

interface DataUrl {
  mediaType: string;
  data: string;
}

/** `data:<media type>;base64,<data>`: front doors normally unpack these, but be safe. */
function parseDataUrl(url: string): DataUrl | undefined {
  const match = /^data:([^;,]+)((?:;[^;,=]+=[^;,]*)*);base64,(.*)$/s.exec(url);
  if (match === null) return undefined;
  return { mediaType: match[1] ?? '', data: match[3] ?? '' };
}

function imageSource(source: MediaSource): AnthropicImageSource {
  if (source.kind === 'base64') return { type: 'base64', media_type: source.mediaType, data: source.data };
  const inline = parseDataUrl(source.url);
  if (inline !== undefined) return { type: 'base64', media_type: inline.mediaType, data: inline.data };
  return { type: 'url', url: source.url };
}

function imageBlock(part: ImagePart): AnthropicImageBlock {
  // `detail` has no Anthropic counterpart; Anthropic sizes images itself.
  return withCacheControl<AnthropicImageBlock>({ type: 'image', source: imageSource(part.source) }, part.cacheControl);
}

function documentBlock(part: DocumentPart, index: number, partIndex: number): AnthropicDocumentBlock {
  const block: AnthropicDocumentBlock = { type: 'document', source: documentSource(part, index, partIndex) };
  const title = part.title ?? part.filename;
  if (title !== undefined) block.title = title;
  return withCacheControl(block, part.cacheControl);
}

function documentSource(part: DocumentPart, index: number, partIndex: number): AnthropicDocumentBlock['source'] {
  const source = part.source;
  if (source.kind === 'text') return { type: 'text', media_type: 'text/plain', data: source.text };
  let inline: DataUrl | undefined;
  if (source.kind === 'base64') inline = { mediaType: source.mediaType, data: source.data };
  else inline = parseDataUrl(source.url);
  const mediaType = baseMediaType(inline?.mediaType ?? part.mediaType);
  if (inline === undefined && source.kind === 'url') {
    if (mediaType === 'application/pdf') return { type: 'url', url: source.url };
  } else if (inline !== undefined) {
    if (mediaType === 'application/pdf') return { type: 'base64', media_type: 'application/pdf', data: inline.data };
    if (mediaType === 'text/plain') {
      return { type: 'text', media_type: 'text/plain', data: Buffer.from(inline.data, 'base64').toString('utf8') };
    }
  }
  throw new UnsupportedFeatureError(
    `document of type ${JSON.stringify(mediaType)} in messages[${index}].content[${partIndex}] (PDF and plain text only)`,
    'anthropic',
  );
}

function baseMediaType(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim().toLowerCase();
}

function toolResultBlock(part: ToolResultPart, index: number): AnthropicToolResultBlock {
  const content: Array<AnthropicTextBlock | AnthropicImageBlock> = [];
  for (const item of part.content) {
    if (item.type === 'text') {
      if (item.text !== '') content.push(textBlock(item.text, item.cacheControl));
    } else if (item.type === 'image') {
      content.push(imageBlock(item));
    } else {
      throw invalidRequest(`messages[${index}]: tool results may only contain text and images`, `messages[${index}].content`);
    }
  }
  const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: part.toolCallId };
  if (content.length > 0) block.content = content;
  if (part.isError === true) block.is_error = true;
  return withCacheControl(block, part.cacheControl);
}

/** Anthropic merges nothing itself in a predictable way; consecutive same-role turns become one. */
function appendMessage(messages: AnthropicMessageParam[], next: AnthropicMessageParam): void {
  if (next.content.length === 0) return;
  const last = messages[messages.length - 1];
  if (last !== undefined && last.role === 'user' && next.role === 'user') last.content.push(...next.content);
  else if (last !== undefined && last.role === 'assistant' && next.role === 'assistant') last.content.push(...next.content);
  else messages.push(next);
}

/** Anthropic requires a user turn's tool_result blocks to precede its other content. */
function toolResultsFirst(blocks: AnthropicUserContentBlock[]): AnthropicUserContentBlock[] {
  const results = blocks.filter((block) => block.type === 'tool_result');
  if (results.length === 0) return blocks;
  return [...results, ...blocks.filter((block) => block.type !== 'tool_result')];
}

/** A final assistant turn is a prefill, and Anthropic refuses one that ends in whitespace. */
function trimFinalAssistantWhitespace(messages: AnthropicMessageParam[]): void {
  const last = messages[messages.length - 1];
  if (last === undefined || last.role !== 'assistant') return;
  const lastBlock = last.content[last.content.length - 1];
  if (lastBlock?.type !== 'text') return;
  lastBlock.text = lastBlock.text.trimEnd();
  if (lastBlock.text === '') last.content.pop();
  if (last.content.length === 0) messages.pop();
}

function convertTool(tool: UnifiedTool, index: number): AnthropicTool {
  if (tool.name === JSON_RESPONSE_TOOL_NAME) {
    throw invalidRequest(
      `tools[${index}]: the tool name ${JSON.stringify(JSON_RESPONSE_TOOL_NAME)} is reserved by the gateway`,
      `tools[${index}].name`,
    );
  }
  const converted: AnthropicTool = { name: tool.name, input_schema: objectSchema(tool.parameters) };
  if (tool.description !== undefined && tool.description !== '') converted.description = tool.description;
  return withCacheControl(converted, tool.cacheControl);
}

/** Anthropic requires `input_schema.type: "object"`; OpenAI clients may omit it for no-argument tools. */
function objectSchema(schema: JsonSchema): JsonSchema {
  return schema['type'] === undefined ? { type: 'object', ...schema } : schema;
}

function convertToolChoice(request: UnifiedChatRequest, tools: AnthropicTool[]): AnthropicToolChoice | undefined {
  const choice = request.toolChoice;
  const disableParallel = request.parallelToolCalls === false;
  if (choice?.type === 'none') return { type: 'none' };
  let converted: AnthropicToolChoice;
  if (choice === undefined || choice.type === 'auto') {
    if (!disableParallel) return undefined;
    converted = { type: 'auto' };
  } else if (choice.type === 'required') {
    converted = { type: 'any' };
  } else {
    if (!tools.some((tool) => tool.name === choice.name)) {
      throw invalidRequest(
        `tool_choice names the tool ${JSON.stringify(choice.name)}, which is not among the request's tools`,
        'tool_choice',
      );
    }
    converted = { type: 'tool', name: choice.name };
  }
  if (disableParallel) converted.disable_parallel_tool_use = true;
  return converted;
}

type JsonAnswerPlan = { kind: 'tool'; tool: AnthropicTool } | { kind: 'instruction'; text: string } | undefined;

/**
 * json_schema with an object root -> a forced tool whose input schema is the requested one (works
 * on every Claude model with tool use). With extended thinking Anthropic forbids forcing a tool,
 * and a non-object root cannot be a tool input, so those and json_object become a system
 * instruction instead.
 */
function planJsonAnswer(format: ResponseFormat | undefined, thinking: boolean): JsonAnswerPlan {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    return { kind: 'instruction', text: 'Respond with a single valid JSON object and nothing else: no prose, no code fences.' };
  }
  if (!thinking && format.schema['type'] === 'object') {
    const description = format.description ?? `Give the final answer as this tool's input. It must match the "${format.name}" schema.`;
    return { kind: 'tool', tool: { name: JSON_RESPONSE_TOOL_NAME, description, input_schema: format.schema } };
  }
  return {
    kind: 'instruction',
    text: `Respond with a single valid JSON value and nothing else (no prose, no code fences) that conforms to this JSON Schema named "${format.name}":\n${JSON.stringify(format.schema)}`,
  };
}

function jsonAnswerToolChoice(request: UnifiedChatRequest, hasCallerTools: boolean): AnthropicToolChoice {
  const choice = request.toolChoice;
  const disableParallel = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  // A caller forcing one of its own tools keeps that; the JSON answer comes on a later turn.
  if (choice?.type === 'tool' && hasCallerTools) return { type: 'tool', name: choice.name, ...disableParallel };
  // With tools the caller may still want called, any tool (the answer tool included) will do.
  if (hasCallerTools && choice?.type !== 'none') return { type: 'any', ...disableParallel };
  return { type: 'tool', name: JSON_RESPONSE_TOOL_NAME, ...disableParallel };
}

function metadataUserId(request: UnifiedChatRequest): string | undefined {
  const value = request.providerOptions?.anthropic?.metadata?.['user_id'];
  return typeof value === 'string' ? value : undefined;
}
