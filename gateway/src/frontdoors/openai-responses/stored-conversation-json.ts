// A stored conversation as JSON text, for a shared response store. The unified messages are
// plain data (strings, numbers, booleans; media as URLs or base64 text), so JSON carries them
// whole: images, tool calls and results, reasoning with its signature or redacted data. Reading
// checks the shape, so an entry written by another version, or by anything else under the same
// key, is refused rather than handed to a provider adapter as if it were a conversation.

import type { UnifiedMessage } from '../../unified/chat-request.js';
import type { StoredResponse } from './response-store.js';
import { isRecord } from '@switchyard/compiler';

/** Bumped when the stored shape changes incompatibly; other versions read as absent. */
const FORMAT_VERSION = 1;

interface StoredConversationJson {
  v: number;
  id: string;
  messages: readonly UnifiedMessage[];
}

export function serializeStoredConversation(response: StoredResponse): string {
  const json: StoredConversationJson = { v: FORMAT_VERSION, id: response.id, messages: response.messages };
  return JSON.stringify(json);
}

/** The stored conversation, or the problem that makes `text` not one this version wrote. */
export function parseStoredConversation(text: string): { response: StoredResponse } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  if (!isRecord(parsed)) return { problem: 'not a JSON object' };
  if (parsed.v !== FORMAT_VERSION) return { problem: `format version ${String(parsed.v)}, expected ${FORMAT_VERSION}` };
  if (typeof parsed.id !== 'string') return { problem: 'id is not a string' };
  if (!Array.isArray(parsed.messages)) return { problem: 'messages is not an array' };
  for (const [index, message] of parsed.messages.entries()) {
    const problem = messageProblem(message);
    if (problem !== undefined) return { problem: `messages[${index}]: ${problem}` };
  }
  return { response: { id: parsed.id, messages: parsed.messages as UnifiedMessage[] } };
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

function messageProblem(message: unknown): string | undefined {
  if (!isRecord(message)) return 'not an object';
  if (typeof message.role !== 'string' || !ROLES.has(message.role)) return `unknown role ${JSON.stringify(message.role)}`;
  if (message.name !== undefined && typeof message.name !== 'string') return 'name is not a string';
  if (!Array.isArray(message.content)) return 'content is not an array';
  for (const [index, part] of message.content.entries()) {
    const problem = partProblem(part, false);
    if (problem !== undefined) return `content[${index}]: ${problem}`;
  }
  return undefined;
}

/** `nested`: inside a tool result, where only text and images may appear. */
function partProblem(part: unknown, nested: boolean): string | undefined {
  if (!isRecord(part)) return 'not an object';
  switch (part.type) {
    case 'text':
      return typeof part.text === 'string' ? undefined : 'text part without text';
    case 'image':
      return mediaProblem(part.source, false);
    case 'document':
      if (nested) return 'document inside a tool result';
      if (typeof part.mediaType !== 'string') return 'document without mediaType';
      return mediaProblem(part.source, true);
    case 'tool_call':
      if (nested) return 'tool call inside a tool result';
      return typeof part.id === 'string' && typeof part.name === 'string' && typeof part.arguments === 'string'
        ? undefined
        : 'tool call without id, name or arguments';
    case 'tool_result': {
      if (nested) return 'tool result inside a tool result';
      if (typeof part.toolCallId !== 'string') return 'tool result without toolCallId';
      if (!Array.isArray(part.content)) return 'tool result content is not an array';
      for (const [index, inner] of part.content.entries()) {
        const problem = partProblem(inner, true);
        if (problem !== undefined) return `content[${index}]: ${problem}`;
      }
      return undefined;
    }
    case 'reasoning':
      if (nested) return 'reasoning inside a tool result';
      return typeof part.text === 'string' ? undefined : 'reasoning part without text';
    default:
      return `unknown part type ${JSON.stringify(part.type)}`;
  }
}

function mediaProblem(source: unknown, textAllowed: boolean): string | undefined {
  if (!isRecord(source)) return 'media without a source';
  if (source.kind === 'url') return typeof source.url === 'string' ? undefined : 'url source without url';
  if (source.kind === 'base64')
    return typeof source.data === 'string' && typeof source.mediaType === 'string' ? undefined : 'base64 source without data or mediaType';
  if (source.kind === 'text' && textAllowed) return typeof source.text === 'string' ? undefined : 'text source without text';
  return `unknown source kind ${JSON.stringify(source.kind)}`;
}
