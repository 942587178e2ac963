// Messages API content blocks -> unified content parts, one block kind per function. Which role
// may carry which block is decided by the caller (decode-anthropic-messages.ts); this file only
// reads blocks. Blocks that only Anthropic's servers can produce or execute (server tools, the
// Files API, search results) are refused with a 400 naming the block type, since no other
// provider could honour them and dropping them would change what the model sees.

import type { GatewayError } from '../../errors/gateway-error.js';
import type {
  CacheControl,
  DocumentPart,
  ImagePart,
  MediaSource,
  ReasoningPart,
  TextPart,
  ToolCallPart,
  ToolResultPart,
} from '../../unified/chat-request.js';
import {
  fieldError,
  fieldPath,
  optionalBoolean,
  optionalRecord,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireRecord,
  requireOneOf,
  requireString,
} from './anthropic-request-fields.js';
import { isAbsent } from '../request-fields/index.js';
import type { JsonRecord } from '@switchyard/compiler';

const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** Block types Anthropic defines that this gateway cannot route to other providers. */
const SERVER_SIDE_BLOCK_TYPES = new Set([
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'container_upload',
  'search_result',
]);

/** The 400 for a block type that is valid Anthropic but has no place here. */
export function unsupportedBlock(type: unknown, path: string, allowedHere: readonly string[]): never {
  const typePath = fieldPath(path, 'type');
  if (typeof type === 'string' && SERVER_SIDE_BLOCK_TYPES.has(type)) {
    throw fieldError(
      typePath,
      `content blocks of type '${type}' are not supported by this gateway (they belong to Anthropic's server-side tools and features)`,
    );
  }
  if (isAbsent(type)) throw fieldError(typePath, 'Field required');
  const listed = allowedHere.map((t) => `'${t}'`).join(', ');
  throw fieldError(typePath, `content block type '${String(type)}' is not allowed here; expected one of ${listed}`);
}

export function decodeCacheControl(value: unknown, path: string): CacheControl | undefined {
  const object = optionalRecord(value, path);
  if (object === undefined) return undefined;
  requireOneOf(object['type'], ['ephemeral'] as const, fieldPath(path, 'type'));
  const cacheControl: CacheControl = { type: 'ephemeral' };
  if (!isAbsent(object['ttl'])) cacheControl.ttl = requireOneOf(object['ttl'], ['5m', '1h'] as const, fieldPath(path, 'ttl'));
  return cacheControl;
}

function withCacheControl<T extends { cacheControl?: CacheControl }>(part: T, block: JsonRecord, path: string): T {
  const cacheControl = decodeCacheControl(block['cache_control'], fieldPath(path, 'cache_control'));
  if (cacheControl !== undefined) part.cacheControl = cacheControl;
  return part;
}

/** `citations` on input text only matter to Anthropic's citation feature; they are not forwarded. */
export function decodeTextBlock(block: JsonRecord, path: string): TextPart {
  const text = requireString(block['text'], fieldPath(path, 'text'));
  return withCacheControl<TextPart>({ type: 'text', text }, block, path);
}

export function decodeImageBlock(block: JsonRecord, path: string): ImagePart {
  const sourcePath = fieldPath(path, 'source');
  const source = requireRecord(block['source'], sourcePath);
  const type = requireOneOf(source['type'], ['base64', 'url', 'file'] as const, fieldPath(sourcePath, 'type'));
  let media: MediaSource;
  switch (type) {
    case 'base64':
      media = {
        kind: 'base64',
        mediaType: requireOneOf(source['media_type'], IMAGE_MEDIA_TYPES, fieldPath(sourcePath, 'media_type')),
        data: requireNonEmptyString(source['data'], fieldPath(sourcePath, 'data')),
      };
      break;
    case 'url':
      media = { kind: 'url', url: requireNonEmptyString(source['url'], fieldPath(sourcePath, 'url')) };
      break;
    case 'file':
      throw filesApiRefusal(sourcePath);
  }
  return withCacheControl<ImagePart>({ type: 'image', source: media }, block, path);
}

function filesApiRefusal(sourcePath: string): GatewayError {
  return fieldError(
    fieldPath(sourcePath, 'type'),
    "sources of type 'file' (Anthropic Files API ids) are not supported by this gateway; send the content as base64 or a URL",
  );
}

/**
 * Documents: base64 PDFs, URLs to PDFs, plain text, and `content` sources (custom documents),
 * whose text blocks are joined into one plain-text document. `context` is text the model should
 * see about the document; it goes in front of it as its own text part.
 */
export function decodeDocumentBlock(block: JsonRecord, path: string): Array<TextPart | DocumentPart> {
  const sourcePath = fieldPath(path, 'source');
  const source = requireRecord(block['source'], sourcePath);
  const type = requireOneOf(source['type'], ['base64', 'url', 'text', 'content', 'file'] as const, fieldPath(sourcePath, 'type'));
  let document: DocumentPart;
  switch (type) {
    case 'base64':
      requireOneOf(source['media_type'], ['application/pdf'] as const, fieldPath(sourcePath, 'media_type'));
      document = {
        type: 'document',
        mediaType: 'application/pdf',
        source: {
          kind: 'base64',
          mediaType: 'application/pdf',
          data: requireNonEmptyString(source['data'], fieldPath(sourcePath, 'data')),
        },
      };
      break;
    case 'url':
      document = {
        type: 'document',
        mediaType: 'application/pdf',
        source: { kind: 'url', url: requireNonEmptyString(source['url'], fieldPath(sourcePath, 'url')) },
      };
      break;
    case 'text':
      requireOneOf(source['media_type'], ['text/plain'] as const, fieldPath(sourcePath, 'media_type'));
      document = {
        type: 'document',
        mediaType: 'text/plain',
        source: { kind: 'text', text: requireString(source['data'], fieldPath(sourcePath, 'data')) },
      };
      break;
    case 'content':
      document = {
        type: 'document',
        mediaType: 'text/plain',
        source: { kind: 'text', text: contentSourceText(source['content'], fieldPath(sourcePath, 'content')) },
      };
      break;
    case 'file':
      throw filesApiRefusal(sourcePath);
  }
  const title = optionalString(block['title'], fieldPath(path, 'title'));
  if (title !== undefined) document.title = title;
  withCacheControl(document, block, path);
  const context = optionalString(block['context'], fieldPath(path, 'context'));
  return context === undefined || context === '' ? [document] : [{ type: 'text', text: context }, document];
}

function contentSourceText(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  const items = requireArray(value, path);
  return items
    .map((item, i) => {
      const itemPath = fieldPath(path, i);
      const block = requireRecord(item, itemPath);
      if (block['type'] !== 'text') {
        throw fieldError(fieldPath(itemPath, 'type'), "only 'text' blocks are supported inside a document's content source");
      }
      return requireString(block['text'], fieldPath(itemPath, 'text'));
    })
    .join('\n\n');
}

export function decodeToolUseBlock(block: JsonRecord, path: string): ToolCallPart {
  const id = requireNonEmptyString(block['id'], fieldPath(path, 'id'));
  const name = requireNonEmptyString(block['name'], fieldPath(path, 'name'));
  const input = requireRecord(block['input'], fieldPath(path, 'input'));
  return { type: 'tool_call', id, name, arguments: JSON.stringify(input) };
}

/** `toolName` comes from the tool_use block with the same id earlier in the conversation. */
export function decodeToolResultBlock(block: JsonRecord, path: string, toolNamesById: ReadonlyMap<string, string>): ToolResultPart {
  const toolCallId = requireNonEmptyString(block['tool_use_id'], fieldPath(path, 'tool_use_id'));
  const part: ToolResultPart = {
    type: 'tool_result',
    toolCallId,
    content: toolResultContent(block['content'], fieldPath(path, 'content')),
  };
  const toolName = toolNamesById.get(toolCallId);
  if (toolName !== undefined) part.toolName = toolName;
  const isError = optionalBoolean(block['is_error'], fieldPath(path, 'is_error'));
  if (isError !== undefined) part.isError = isError;
  return withCacheControl(part, block, path);
}

function toolResultContent(value: unknown, path: string): Array<TextPart | ImagePart> {
  if (isAbsent(value)) return [];
  if (typeof value === 'string') return value === '' ? [] : [{ type: 'text', text: value }];
  return requireArray(value, path).map((item, i) => {
    const itemPath = fieldPath(path, i);
    const block = requireRecord(item, itemPath);
    switch (block['type']) {
      case 'text':
        return decodeTextBlock(block, itemPath);
      case 'image':
        return decodeImageBlock(block, itemPath);
      default:
        return unsupportedBlock(block['type'], itemPath, ['text', 'image']);
    }
  });
}

/**
 * Thinking from an earlier answer, sent back so the model can continue from it. An empty
 * signature (what the gateway writes for reasoning from providers that do not sign theirs) is
 * the same as none.
 */
export function decodeThinkingBlock(block: JsonRecord, path: string): ReasoningPart {
  const text = requireString(block['thinking'], fieldPath(path, 'thinking'));
  const signature = requireString(block['signature'], fieldPath(path, 'signature'));
  return signature === '' ? { type: 'reasoning', text } : { type: 'reasoning', text, signature };
}

export function decodeRedactedThinkingBlock(block: JsonRecord, path: string): ReasoningPart {
  return { type: 'reasoning', text: '', redactedData: requireNonEmptyString(block['data'], fieldPath(path, 'data')) };
}
