// Responses `input` -> unified messages. A string is one user message. Items are messages
// (user, system, developer, assistant), the model's earlier output (function_call, reasoning)
// and the caller's tool answers (function_call_output); the gateway's hosted-tool reports
// (mcp_list_tools, mcp_call) are accepted and left out. The model's output items of one turn
// sit side by side in `input`; they are joined into one assistant message, as a provider
// expects a turn's text, reasoning and tool calls together.
//
// Refused with a 400 naming the item: item_reference (items are not kept by id), any built-in
// tool's call or output item (web_search_call, computer_call_output, ...), input_image by
// file_id and input_file by file_id or file_url (OpenAI's file storage means nothing to other
// providers), and a reasoning item's encrypted_content that this gateway did not write.

import { invalidRequest } from '../../errors/gateway-error.js';
import { parseBase64DataUrl, decodeOpenAIFileData } from '../openai-chat/index.js';
import type { JsonRecord } from '@switchyard/compiler';
import { decodeReasoningState } from './responses-reasoning-state.js';
import type {
  ContentPart,
  DocumentPart,
  ImagePart,
  ReasoningPart,
  TextPart,
  ToolResultPart,
  UnifiedMessage,
} from '../../unified/chat-request.js';
import {
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireOneOf,
  requireRecord,
  requireString,
} from '../request-fields/index.js';

const MESSAGE_ROLES = ['user', 'assistant', 'system', 'developer'] as const;

/**
 * `knownToolNames` maps call ids of earlier tool calls (from a stored conversation) to their
 * tool names, so a function_call_output can name the tool it answers (Gemini needs the name).
 */
export function decodeResponsesInput(value: unknown, knownToolNames: ReadonlyMap<string, string>): UnifiedMessage[] {
  if (typeof value === 'string') return [{ role: 'user', content: [{ type: 'text', text: value }] }];
  const items = requireArray(value, 'input');
  const toolNames = new Map(knownToolNames);
  const messages: UnifiedMessage[] = [];
  items.forEach((entry, i) => {
    decodeItem(entry, `input[${i}]`, messages, toolNames);
  });
  return messages;
}

function decodeItem(value: unknown, path: string, messages: UnifiedMessage[], toolNames: Map<string, string>): void {
  const item = requireRecord(value, path);
  // Messages may omit `type` (EasyInputMessage); everything else names its type.
  const type = item.type === undefined || item.type === null ? (item.role !== undefined ? 'message' : undefined) : item.type;
  switch (type) {
    case 'message':
      decodeMessage(item, path, messages);
      return;
    case 'function_call': {
      const call = {
        type: 'tool_call' as const,
        id: requireNonEmptyString(item.call_id, `${path}.call_id`),
        name: requireNonEmptyString(item.name, `${path}.name`),
        arguments: requireString(item.arguments, `${path}.arguments`),
      };
      toolNames.set(call.id, call.name);
      appendToAssistant(messages, [call]);
      return;
    }
    case 'function_call_output':
      messages.push({ role: 'tool', content: [decodeFunctionCallOutput(item, path, toolNames)] });
      return;
    case 'reasoning': {
      const reasoning = decodeReasoningItem(item, path);
      if (reasoning !== undefined) appendToAssistant(messages, [reasoning]);
      return;
    }
    case 'mcp_list_tools':
    case 'mcp_call':
      // The gateway's own reports of an earlier turn's hosted tools, sent back as callers send
      // back whole outputs: the answer that followed them is what the model needs, so they are
      // left out (docs/mcp.md, "Hosted tools").
      return;
    case 'item_reference':
      throw invalidRequest(
        `'${path}': item_reference is not supported by this gateway (items are not kept by id); send the item itself, or continue with previous_response_id`,
        `${path}.type`,
      );
    case undefined:
      throw invalidRequest(`'${path}' must have a 'type' (or a 'role' for a message)`, `${path}.type`);
    default:
      throw invalidRequest(
        `'${path}.type': input items of type ${JSON.stringify(type)} are not supported by this gateway; only messages, function_call, function_call_output, reasoning, mcp_list_tools and mcp_call items are`,
        `${path}.type`,
      );
  }
}

function decodeMessage(item: JsonRecord, path: string, messages: UnifiedMessage[]): void {
  const role = requireOneOf(item.role, MESSAGE_ROLES, `${path}.role`);
  const contentPath = `${path}.content`;
  switch (role) {
    case 'system':
    case 'developer':
      messages.push({ role: 'system', content: decodeParts(item.content, contentPath, 'instruction') });
      return;
    case 'user':
      messages.push({ role: 'user', content: decodeParts(item.content, contentPath, 'user') });
      return;
    case 'assistant':
      appendToAssistant(messages, decodeParts(item.content, contentPath, 'assistant'));
      return;
  }
}

/** The model's items of one turn (message, reasoning, function calls) make one assistant message. */
function appendToAssistant(messages: UnifiedMessage[], parts: ContentPart[]): void {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') last.content.push(...parts);
  else messages.push({ role: 'assistant', content: parts });
}

type PartsOf = 'instruction' | 'user' | 'assistant';

function decodeParts(value: unknown, path: string, of: 'instruction'): TextPart[];
function decodeParts(value: unknown, path: string, of: PartsOf): ContentPart[];
function decodeParts(value: unknown, path: string, of: PartsOf): ContentPart[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (value === undefined || value === null) throw invalidRequest(`Missing required parameter: '${path}'`, path);
  if (!Array.isArray(value) || value.length === 0)
    throw invalidRequest(`'${path}' must be a string or a non-empty array of content parts`, path);
  return value.map((entry, i) => {
    const p = `${path}[${i}]`;
    const part = requireRecord(entry, p);
    switch (part.type) {
      case 'input_text':
        return { type: 'text', text: requireString(part.text, `${p}.text`) };
      case 'output_text':
        if (of !== 'assistant') throw invalidRequest(`'${p}.type': output_text may only appear in assistant messages`, `${p}.type`);
        return { type: 'text', text: requireString(part.text, `${p}.text`) };
      case 'refusal':
        if (of !== 'assistant') throw invalidRequest(`'${p}.type': refusal may only appear in assistant messages`, `${p}.type`);
        return { type: 'text', text: requireString(part.refusal, `${p}.refusal`) };
      case 'input_image':
        if (of !== 'user') throw invalidRequest(`'${p}.type': input_image may only appear in user messages`, `${p}.type`);
        return decodeInputImage(part, p);
      case 'input_file':
        if (of !== 'user') throw invalidRequest(`'${p}.type': input_file may only appear in user messages`, `${p}.type`);
        return decodeInputFile(part, p);
      case 'input_audio':
        throw invalidRequest(`'${p}.type': audio input is not supported by this gateway`, `${p}.type`);
      default:
        throw invalidRequest(`'${p}.type' must be one of ${expectedPartTypes(of)}`, `${p}.type`);
    }
  });
}

function expectedPartTypes(of: PartsOf): string {
  switch (of) {
    case 'instruction':
      return "'input_text'";
    case 'user':
      return "'input_text', 'input_image', 'input_file'";
    case 'assistant':
      return "'output_text', 'refusal', 'input_text'";
  }
}

function decodeInputImage(part: JsonRecord, path: string): ImagePart {
  if (part.file_id !== undefined && part.file_id !== null) {
    throw invalidRequest(
      `'${path}.file_id' refers to a file stored at OpenAI, which cannot be forwarded to every provider; send the image as image_url (an https URL or a base64 data URL)`,
      `${path}.file_id`,
    );
  }
  const url = requireNonEmptyString(part.image_url, `${path}.image_url`);
  let image: ImagePart;
  if (url.startsWith('data:')) {
    const parsed = parseBase64DataUrl(url);
    if (!parsed?.mediaType.startsWith('image/')) {
      throw invalidRequest(
        `'${path}.image_url' must be an http(s) URL or a base64 data URL of an image (data:image/<type>;base64,...)`,
        `${path}.image_url`,
      );
    }
    image = { type: 'image', source: { kind: 'base64', mediaType: parsed.mediaType, data: parsed.data } };
  } else if (/^https?:\/\//i.test(url)) {
    image = { type: 'image', source: { kind: 'url', url } };
  } else {
    throw invalidRequest(`'${path}.image_url' must be an http(s) URL or a base64 data URL`, `${path}.image_url`);
  }
  if (part.detail !== undefined && part.detail !== null) {
    const detail = requireOneOf(part.detail, ['auto', 'low', 'high', 'original'] as const, `${path}.detail`);
    // `original` (full resolution) is the closest to `high` that every provider understands.
    image.detail = detail === 'original' ? 'high' : detail;
  }
  return image;
}

function decodeInputFile(part: JsonRecord, path: string): DocumentPart {
  for (const field of ['file_id', 'file_url'] as const) {
    if (part[field] !== undefined && part[field] !== null) {
      throw invalidRequest(
        `'${path}.${field}' refers to a file stored elsewhere, which cannot be forwarded to every provider; send the content inline as 'file_data'`,
        `${path}.${field}`,
      );
    }
  }
  const filename = optionalString(part.filename, `${path}.filename`);
  const fileData = requireNonEmptyString(part.file_data, `${path}.file_data`);
  const { mediaType, data } = decodeOpenAIFileData(fileData, filename, `${path}.file_data`);
  const document: DocumentPart = { type: 'document', source: { kind: 'base64', mediaType, data }, mediaType };
  if (filename !== undefined) document.filename = filename;
  return document;
}

function decodeFunctionCallOutput(item: JsonRecord, path: string, toolNames: ReadonlyMap<string, string>): ToolResultPart {
  const toolCallId = requireNonEmptyString(item.call_id, `${path}.call_id`);
  const outputPath = `${path}.output`;
  let content: Array<TextPart | ImagePart>;
  if (typeof item.output === 'string') {
    content = [{ type: 'text', text: item.output }];
  } else if (Array.isArray(item.output)) {
    content = item.output.map((entry, i) => {
      const p = `${outputPath}[${i}]`;
      const part = requireRecord(entry, p);
      if (part.type === 'input_text') return { type: 'text', text: requireString(part.text, `${p}.text`) };
      if (part.type === 'input_image') return decodeInputImage(part, p);
      if (part.type === 'input_file') {
        throw invalidRequest(`'${p}.type': files in tool output are not supported by this gateway; send text or images`, `${p}.type`);
      }
      throw invalidRequest(`'${p}.type' must be 'input_text' or 'input_image'`, `${p}.type`);
    });
  } else {
    throw invalidRequest(`'${outputPath}' must be a string or an array of content parts`, outputPath);
  }
  const result: ToolResultPart = { type: 'tool_result', toolCallId, content };
  const toolName = toolNames.get(toolCallId);
  if (toolName !== undefined) result.toolName = toolName;
  return result;
}

/**
 * A reasoning item from an earlier turn. Its text is the summary (or the full reasoning_text,
 * when a client sends that); encrypted_content is honoured only when this gateway wrote it.
 * An item with nothing to carry is dropped.
 */
function decodeReasoningItem(item: JsonRecord, path: string): ReasoningPart | undefined {
  const encrypted = optionalString(item.encrypted_content, `${path}.encrypted_content`);
  if (encrypted !== undefined) {
    const state = decodeReasoningState(encrypted);
    if (state === undefined) {
      throw invalidRequest(
        `'${path}.encrypted_content' was not issued by this gateway (OpenAI's encrypted reasoning cannot be forwarded to other providers); drop the field or the item`,
        `${path}.encrypted_content`,
      );
    }
    const part: ReasoningPart = { type: 'reasoning', text: state.text };
    if (state.signature !== undefined) part.signature = state.signature;
    if (state.redactedData !== undefined) part.redactedData = state.redactedData;
    return part;
  }
  const text = joinTexts(item.content, `${path}.content`, 'reasoning_text') || joinTexts(item.summary, `${path}.summary`, 'summary_text');
  return text === '' ? undefined : { type: 'reasoning', text };
}

function joinTexts(value: unknown, path: string, partType: 'summary_text' | 'reasoning_text'): string {
  if (value === undefined || value === null) return '';
  return requireArray(value, path)
    .map((entry, i) => {
      const p = `${path}[${i}]`;
      const part = requireRecord(entry, p);
      if (part.type !== partType) throw invalidRequest(`'${p}.type' must be '${partType}'`, `${p}.type`);
      return requireString(part.text, `${p}.text`);
    })
    .join('\n\n');
}
