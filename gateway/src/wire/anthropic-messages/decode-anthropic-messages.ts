// `system` and `messages` of a Messages API body -> unified messages.
//
// - `system` (a string or text blocks) becomes the first system message; system-role entries
//   inside `messages` (allowed by the current SDK types) stay where they are.
// - A user turn may mix tool_result blocks with other content. Unified tool results travel in
//   `tool` messages, so the turn is split into runs, in order: tool_result runs become `tool`
//   messages, the rest `user` messages.
// - tool_result blocks get the tool's name from the tool_use block with the same id earlier in
//   the conversation (Gemini needs names, Anthropic only ids).

import type { ContentPart, TextPart, ToolResultPart, UnifiedMessage } from '../../unified/chat-request.js';
import { fieldError, fieldPath, requireArray, requireRecord, requireOneOf } from './anthropic-request-fields.js';
import { isAbsent } from '../request-fields/index.js';
import type { JsonRecord } from '@switchyard/compiler';
import {
  decodeDocumentBlock,
  decodeImageBlock,
  decodeRedactedThinkingBlock,
  decodeTextBlock,
  decodeThinkingBlock,
  decodeToolResultBlock,
  decodeToolUseBlock,
  unsupportedBlock,
} from './decode-anthropic-content-blocks.js';

const ROLES = ['user', 'assistant', 'system'] as const;
const USER_BLOCKS = ['text', 'image', 'document', 'tool_result'] as const;
const ASSISTANT_BLOCKS = ['text', 'tool_use', 'thinking', 'redacted_thinking'] as const;

export function decodeAnthropicSystem(value: unknown): UnifiedMessage | undefined {
  if (isAbsent(value)) return undefined;
  const content = decodeTextOnlyContent(value, 'system');
  return content.length === 0 ? undefined : { role: 'system', content };
}

export function decodeAnthropicMessages(value: unknown): UnifiedMessage[] {
  const items = requireArray(value, 'messages');
  if (items.length === 0) throw fieldError('messages', 'List should have at least 1 item');
  const toolNamesById = new Map<string, string>();
  const out: UnifiedMessage[] = [];
  items.forEach((item, index) => {
    const path = fieldPath('messages', index);
    const message = requireRecord(item, path);
    const role = requireOneOf(message['role'], ROLES, fieldPath(path, 'role'));
    const contentPath = fieldPath(path, 'content');
    const isFinal = index === items.length - 1;
    if (isEmptyContent(message['content'])) {
      // Anthropic's own rule: only a final assistant turn (an empty prefill) may be empty.
      if (role === 'assistant' && isFinal) return;
      throw fieldError(contentPath, 'all messages must have non-empty content except for the optional final assistant message');
    }
    switch (role) {
      case 'system':
        out.push({ role: 'system', content: decodeTextOnlyContent(message['content'], contentPath) });
        return;
      case 'assistant': {
        const content = decodeAssistantContent(message['content'], contentPath, toolNamesById);
        // A turn that held only the gateway's MCP reports has nothing left for the model.
        if (content.length > 0) out.push({ role: 'assistant', content });
        return;
      }
      case 'user':
        out.push(...decodeUserTurn(message['content'], contentPath, toolNamesById));
        return;
    }
  });
  return out;
}

function isEmptyContent(value: unknown): boolean {
  return value === '' || (Array.isArray(value) && value.length === 0);
}

/** `content` as a string or an array of blocks, each block an object. */
function contentBlocks(value: unknown, path: string): JsonRecord[] {
  return requireArray(value, path).map((item, i) => requireRecord(item, fieldPath(path, i)));
}

function decodeTextOnlyContent(value: unknown, path: string): TextPart[] {
  if (typeof value === 'string') return value === '' ? [] : [{ type: 'text', text: value }];
  return contentBlocks(value, path).map((block, i) => {
    const blockPath = fieldPath(path, i);
    if (block['type'] !== 'text') return unsupportedBlock(block['type'], blockPath, ['text']);
    return decodeTextBlock(block, blockPath);
  });
}

function decodeAssistantContent(value: unknown, path: string, toolNamesById: Map<string, string>): ContentPart[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  return contentBlocks(value, path).flatMap((block, i): ContentPart[] => {
    const blockPath = fieldPath(path, i);
    switch (block['type']) {
      case 'text':
        return [decodeTextBlock(block, blockPath)];
      case 'tool_use': {
        const call = decodeToolUseBlock(block, blockPath);
        toolNamesById.set(call.id, call.name);
        return [call];
      }
      case 'thinking':
        return [decodeThinkingBlock(block, blockPath)];
      case 'redacted_thinking':
        return [decodeRedactedThinkingBlock(block, blockPath)];
      case 'mcp_tool_use':
      case 'mcp_tool_result':
        // The gateway's reports of hosted calls in an earlier answer, sent back with the rest of
        // it: the text that followed them is what the model needs (docs/mcp.md, "Hosted tools").
        return [];
      default:
        return unsupportedBlock(block['type'], blockPath, ASSISTANT_BLOCKS);
    }
  });
}

function decodeUserTurn(value: unknown, path: string, toolNamesById: ReadonlyMap<string, string>): UnifiedMessage[] {
  if (typeof value === 'string') return [{ role: 'user', content: [{ type: 'text', text: value }] }];
  const messages: UnifiedMessage[] = [];
  const append = (role: 'user' | 'tool', parts: ContentPart[]): void => {
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...parts);
    else messages.push({ role, content: parts });
  };
  contentBlocks(value, path).forEach((block, i) => {
    const blockPath = fieldPath(path, i);
    switch (block['type']) {
      case 'tool_result': {
        const result: ToolResultPart = decodeToolResultBlock(block, blockPath, toolNamesById);
        append('tool', [result]);
        return;
      }
      case 'text':
        append('user', [decodeTextBlock(block, blockPath)]);
        return;
      case 'image':
        append('user', [decodeImageBlock(block, blockPath)]);
        return;
      case 'document':
        append('user', decodeDocumentBlock(block, blockPath));
        return;
      default:
        unsupportedBlock(block['type'], blockPath, USER_BLOCKS);
    }
  });
  return messages;
}
