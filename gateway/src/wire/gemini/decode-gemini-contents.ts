// Gemini `systemInstruction` + `contents` -> unified messages.
//
//  - systemInstruction (text parts only) -> one system message
//  - a `model` content -> an assistant message; a `user` content (or none given, or the legacy
//    `function` role) -> a tool message with its functionResponse parts, then a user message with
//    the rest, so tool results sit right after the calls they answer
//  - thoughts -> reasoning parts; a thoughtSignature on any other model part -> a signature-only
//    reasoning part just before it (the provider side turns that back into the same signature on
//    the same part)
//  - ids: Gemini matches function responses to calls by name and order, every other provider by
//    id. A call keeps the id the caller sent (the gateway's own answers carry one); one without
//    gets `call_<content index>_<n>`, the provider side's `call_<scope>_<n>` shape. A response
//    takes the id of the call it answers: the call of the previous model turn with its id, else
//    the first unanswered one with its name; else its own id, else a fresh one.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { ContentPart, ToolResultPart, UnifiedMessage } from '../../unified/chat-request.js';
import { requireArray, requireRecord } from '../request-fields/index.js';
import { decodeGeminiPart, type DecodedGeminiPart } from './decode-gemini-part.js';

interface CallAwaitingAnswer {
  id: string;
  name: string;
  answered: boolean;
}

export function decodeGeminiSystemInstruction(value: unknown): UnifiedMessage | undefined {
  if (value === undefined || value === null) return undefined;
  const content = requireRecord(value, 'systemInstruction');
  const parts = requireArray(content.parts, 'systemInstruction.parts');
  const text = parts.map((item, j) => {
    const path = `systemInstruction.parts[${j}]`;
    const decoded = decodeGeminiPart(item, path);
    if (decoded.kind !== 'content' || decoded.part.type !== 'text') {
      throw invalidRequest(`${path}: a system instruction may hold only text parts`, path);
    }
    return decoded.part;
  });
  return text.length === 0 ? undefined : { role: 'system', content: text };
}

export function decodeGeminiContents(value: unknown): UnifiedMessage[] {
  if (value === undefined || value === null) throw invalidRequest('contents is required', 'contents');
  const contents = requireArray(value, 'contents');
  if (contents.length === 0) throw invalidRequest('contents must not be empty', 'contents');

  const messages: UnifiedMessage[] = [];
  let awaiting: CallAwaitingAnswer[] = [];
  let previousRole: 'user' | 'model' | undefined;

  contents.forEach((item, i) => {
    const path = `contents[${i}]`;
    const content = requireRecord(item, path);
    const role = decodeRole(content.role, `${path}.role`);
    const parts = requireArray(content.parts, `${path}.parts`);
    if (parts.length === 0) throw invalidRequest(`${path}.parts must not be empty`, `${path}.parts`);
    const decoded = parts.map((part, j) => decodeGeminiPart(part, `${path}.parts[${j}]`));

    if (role === 'model') {
      if (previousRole !== 'model') awaiting = [];
      messages.push(assistantMessage(decoded, i, path, awaiting));
    } else {
      messages.push(...userMessages(decoded, i, path, awaiting));
    }
    previousRole = role;
  });
  return messages;
}

function decodeRole(value: unknown, path: string): 'user' | 'model' {
  if (value === undefined || value === null || value === '' || value === 'user' || value === 'function') return 'user';
  if (value === 'model') return 'model';
  throw invalidRequest(`${path} must be "user" or "model", got ${JSON.stringify(value)}`, path);
}

function assistantMessage(decoded: DecodedGeminiPart[], index: number, path: string, awaiting: CallAwaitingAnswer[]): UnifiedMessage {
  const content: ContentPart[] = [];
  let calls = 0;
  decoded.forEach((part, j) => {
    if (part.kind === 'thought') {
      content.push(
        part.signature === undefined
          ? { type: 'reasoning', text: part.text }
          : { type: 'reasoning', text: part.text, signature: part.signature },
      );
      return;
    }
    if (part.kind === 'function_response') {
      const at = `${path}.parts[${j}].functionResponse`;
      throw invalidRequest(`${at}: a functionResponse belongs in a user turn, not a model turn`, at);
    }
    if (part.signature !== undefined) content.push({ type: 'reasoning', text: '', signature: part.signature });
    if (part.kind === 'content') {
      content.push(part.part);
      return;
    }
    const id = part.id ?? `call_${index}_${calls}`;
    calls += 1;
    awaiting.push({ id, name: part.name, answered: false });
    content.push({ type: 'tool_call', id, name: part.name, arguments: part.arguments });
  });
  return { role: 'assistant', content };
}

function userMessages(decoded: DecodedGeminiPart[], index: number, path: string, awaiting: CallAwaitingAnswer[]): UnifiedMessage[] {
  const results: ToolResultPart[] = [];
  const others: ContentPart[] = [];
  decoded.forEach((part, j) => {
    const at = `${path}.parts[${j}]`;
    switch (part.kind) {
      case 'content':
        others.push(part.part);
        return;
      case 'thought':
        throw invalidRequest(`${at}.thought: only model turns can carry thoughts`, `${at}.thought`);
      case 'function_call':
        throw invalidRequest(`${at}.functionCall: a functionCall belongs in a model turn, not a user turn`, `${at}.functionCall`);
      case 'function_response': {
        const result: ToolResultPart = {
          type: 'tool_result',
          toolCallId: answeredCallId(part.id, part.name, awaiting) ?? `call_${index}_${j}`,
          toolName: part.name,
          content: part.content,
        };
        if (part.isError) result.isError = true;
        results.push(result);
      }
    }
  });
  const messages: UnifiedMessage[] = [];
  if (results.length > 0) messages.push({ role: 'tool', content: results });
  if (others.length > 0) messages.push({ role: 'user', content: others });
  return messages;
}

function answeredCallId(id: string | undefined, name: string, awaiting: CallAwaitingAnswer[]): string | undefined {
  const call = (id === undefined ? undefined : awaiting.find((c) => c.id === id)) ?? awaiting.find((c) => !c.answered && c.name === name);
  if (call === undefined) return id;
  call.answered = true;
  return call.id;
}
