// Chat Completions `messages` -> unified messages. `developer` folds into `system`; tool
// messages get the tool's name from the assistant tool call they answer (Gemini needs it).

import { invalidRequest } from '../../errors/gateway-error.js';
import { parseBase64DataUrl } from './data-url.js';
import { decodeOpenAIFileData } from './decode-openai-file-data.js';
import type { JsonRecord } from '@switchyard/compiler';
import type {
  CacheControl,
  ContentPart,
  DocumentPart,
  ImagePart,
  TextPart,
  ToolCallPart,
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

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

export function decodeOpenAIMessages(value: unknown): UnifiedMessage[] {
  if (value === undefined || value === null) throw invalidRequest("Missing required parameter: 'messages'", 'messages');
  const items = requireArray(value, 'messages');
  if (items.length === 0) throw invalidRequest("'messages' must contain at least one message", 'messages');
  const toolNamesById = new Map<string, string>();
  return items.map((item, i) => decodeMessage(item, `messages[${i}]`, toolNamesById));
}

function decodeMessage(value: unknown, path: string, toolNamesById: Map<string, string>): UnifiedMessage {
  const message = requireRecord(value, path);
  if (message.role === 'function') {
    throw invalidRequest(
      `'${path}.role': the deprecated 'function' role is not supported; use 'tool' messages with tool_call_id`,
      `${path}.role`,
    );
  }
  const role = requireOneOf(message.role, ROLES, `${path}.role`);
  const name = optionalString(message.name, `${path}.name`);
  const withName = (m: UnifiedMessage): UnifiedMessage => (name === undefined ? m : { ...m, name });
  switch (role) {
    case 'system':
    case 'developer':
      return withName({ role: 'system', content: decodeTextContent(message.content, `${path}.content`) });
    case 'user':
      return withName({ role: 'user', content: decodeUserContent(message.content, `${path}.content`) });
    case 'assistant':
      return withName({ role: 'assistant', content: decodeAssistantContent(message, path, toolNamesById) });
    case 'tool': {
      const toolCallId = requireNonEmptyString(message.tool_call_id, `${path}.tool_call_id`);
      const toolName = toolNamesById.get(toolCallId);
      return {
        role: 'tool',
        content: [
          {
            type: 'tool_result',
            toolCallId,
            ...(toolName === undefined ? {} : { toolName }),
            content: decodeTextContent(message.content, `${path}.content`),
          },
        ],
      };
    }
  }
}

/** String or an array of text parts (system, developer and tool messages). */
function decodeTextContent(value: unknown, path: string): TextPart[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (value === undefined || value === null) throw invalidRequest(`Missing required parameter: '${path}'`, path);
  const parts = requireNonEmptyParts(value, path);
  return parts.map((part, i) => {
    const p = `${path}[${i}]`;
    const record = requireRecord(part, p);
    if (record.type !== 'text') throw invalidRequest(`'${p}.type' must be 'text' in this message`, `${p}.type`);
    return decodeTextPart(record, p);
  });
}

function decodeUserContent(value: unknown, path: string): Array<TextPart | ImagePart | DocumentPart> {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (value === undefined || value === null) throw invalidRequest(`Missing required parameter: '${path}'`, path);
  const parts = requireNonEmptyParts(value, path);
  return parts.map((part, i) => {
    const p = `${path}[${i}]`;
    const record = requireRecord(part, p);
    switch (record.type) {
      case 'text':
        return decodeTextPart(record, p);
      case 'image_url':
        return decodeImagePart(record, p);
      case 'file':
        return decodeFilePart(record, p);
      case 'input_audio':
        throw invalidRequest(`'${p}.type': audio input is not supported by this gateway`, `${p}.type`);
      default:
        throw invalidRequest(`'${p}.type' must be one of 'text', 'image_url', 'file'`, `${p}.type`);
    }
  });
}

function decodeAssistantContent(message: JsonRecord, path: string, toolNamesById: Map<string, string>): ContentPart[] {
  if (message.function_call !== undefined && message.function_call !== null) {
    throw invalidRequest(`'${path}.function_call' is deprecated and not supported; use 'tool_calls'`, `${path}.function_call`);
  }
  const content: ContentPart[] = [];
  // Not OpenAI: DeepSeek-style clients send earlier reasoning back, and DeepSeek requires it.
  const reasoning = optionalString(message.reasoning_content, `${path}.reasoning_content`);
  if (reasoning) content.push({ type: 'reasoning', text: reasoning });
  const value = message.content;
  if (typeof value === 'string') {
    content.push({ type: 'text', text: value });
  } else if (value !== undefined && value !== null) {
    const parts = requireNonEmptyParts(value, `${path}.content`);
    parts.forEach((part, i) => {
      const p = `${path}.content[${i}]`;
      const record = requireRecord(part, p);
      if (record.type === 'text') content.push(decodeTextPart(record, p));
      else if (record.type === 'refusal') content.push({ type: 'text', text: requireString(record.refusal, `${p}.refusal`) });
      else throw invalidRequest(`'${p}.type' must be 'text' or 'refusal'`, `${p}.type`);
    });
  }
  const refusal = optionalString(message.refusal, `${path}.refusal`);
  if (refusal !== undefined && !content.some((p) => p.type === 'text')) content.push({ type: 'text', text: refusal });
  if (message.tool_calls !== undefined && message.tool_calls !== null) {
    requireArray(message.tool_calls, `${path}.tool_calls`).forEach((call, i) => {
      const toolCall = decodeToolCall(call, `${path}.tool_calls[${i}]`);
      toolNamesById.set(toolCall.id, toolCall.name);
      content.push(toolCall);
    });
  }
  return content;
}

function decodeToolCall(value: unknown, path: string): ToolCallPart {
  const call = requireRecord(value, path);
  if (call.type !== undefined && call.type !== 'function') throw invalidRequest(`'${path}.type' must be 'function'`, `${path}.type`);
  const fn = requireRecord(call.function, `${path}.function`);
  return {
    type: 'tool_call',
    id: requireNonEmptyString(call.id, `${path}.id`),
    name: requireNonEmptyString(fn.name, `${path}.function.name`),
    arguments: requireString(fn.arguments, `${path}.function.arguments`),
  };
}

function decodeTextPart(part: JsonRecord, path: string): TextPart {
  const text: TextPart = { type: 'text', text: requireString(part.text, `${path}.text`) };
  const cacheControl = decodeCacheBreakpoint(part, path);
  return cacheControl ? { ...text, cacheControl } : text;
}

function decodeImagePart(part: JsonRecord, path: string): ImagePart {
  const image = requireRecord(part.image_url, `${path}.image_url`);
  const url = requireNonEmptyString(image.url, `${path}.image_url.url`);
  const detail =
    image.detail === undefined || image.detail === null
      ? undefined
      : requireOneOf(image.detail, ['auto', 'low', 'high'] as const, `${path}.image_url.detail`);
  let result: ImagePart;
  if (url.startsWith('data:')) {
    const parsed = parseBase64DataUrl(url);
    if (!parsed?.mediaType.startsWith('image/')) {
      throw invalidRequest(
        `'${path}.image_url.url' must be an http(s) URL or a base64 data URL of an image (data:image/<type>;base64,...)`,
        `${path}.image_url.url`,
      );
    }
    result = { type: 'image', source: { kind: 'base64', mediaType: parsed.mediaType, data: parsed.data } };
  } else if (/^https?:\/\//i.test(url)) {
    result = { type: 'image', source: { kind: 'url', url } };
  } else {
    throw invalidRequest(`'${path}.image_url.url' must be an http(s) URL or a base64 data URL`, `${path}.image_url.url`);
  }
  if (detail !== undefined) result.detail = detail;
  const cacheControl = decodeCacheBreakpoint(part, path);
  if (cacheControl) result.cacheControl = cacheControl;
  return result;
}

function decodeFilePart(part: JsonRecord, path: string): DocumentPart {
  const file = requireRecord(part.file, `${path}.file`);
  const filename = optionalString(file.filename, `${path}.file.filename`);
  if (file.file_id !== undefined && file.file_id !== null) {
    throw invalidRequest(
      `'${path}.file.file_id' refers to a file stored at OpenAI, which cannot be forwarded to every provider; send the content inline as 'file_data'`,
      `${path}.file.file_id`,
    );
  }
  const fileData = requireNonEmptyString(file.file_data, `${path}.file.file_data`);
  const { mediaType, data } = decodeOpenAIFileData(fileData, filename, `${path}.file.file_data`);
  const document: DocumentPart = { type: 'document', source: { kind: 'base64', mediaType, data }, mediaType };
  if (filename !== undefined) document.filename = filename;
  const cacheControl = decodeCacheBreakpoint(part, path);
  if (cacheControl) document.cacheControl = cacheControl;
  return document;
}

/** OpenAI's explicit prompt-cache breakpoint on a content part -> unified cache control. */
function decodeCacheBreakpoint(part: JsonRecord, path: string): CacheControl | undefined {
  const breakpoint = part.prompt_cache_breakpoint;
  if (breakpoint === undefined || breakpoint === null) return undefined;
  requireRecord(breakpoint, `${path}.prompt_cache_breakpoint`);
  return { type: 'ephemeral' };
}

function requireNonEmptyParts(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidRequest(`'${path}' must be a string or a non-empty array of content parts`, path);
  return value;
}
