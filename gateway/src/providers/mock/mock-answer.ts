// What the mock model says: the configured response, or an echo of the last user message; a
// tool call with `{}` arguments when the request forces one. Everything derives from the
// request, so the same request always gets the same answer.
import { createHash } from 'node:crypto';
import type { MockBehaviour } from '@switchyard/compiler';
import type { UnifiedChatRequest } from '../../unified/chat-request.js';
import type { FinishReason } from '../../unified/chat-response.js';
import { estimateTokens, promptText } from './mock-usage.js';

export type MockAnswer =
  | { kind: 'text'; text: string; finishReason: FinishReason }
  | { kind: 'tool_call'; id: string; name: string; arguments: string };

export function mockAnswer(request: UnifiedChatRequest, behaviour: MockBehaviour | undefined): MockAnswer {
  const forcedTool = forcedToolName(request);
  if (forcedTool !== undefined)
    return { kind: 'tool_call', id: `call_${requestDigest(request).slice(0, 24)}`, name: forcedTool, arguments: '{}' };
  const text = behaviour?.response ?? `Mock reply to: ${lastUserText(request)}`;
  const limit = request.maxOutputTokens;
  if (limit !== undefined && estimateTokens(text) > limit) return { kind: 'text', text: text.slice(0, limit * 4), finishReason: 'length' };
  return { kind: 'text', text, finishReason: 'stop' };
}

/** A stable id for one request's answer. */
export function requestDigest(request: UnifiedChatRequest): string {
  return createHash('sha256').update(request.model).update('\u0000').update(promptText(request)).digest('hex');
}

function forcedToolName(request: UnifiedChatRequest): string | undefined {
  const choice = request.toolChoice;
  if (choice === undefined) return undefined;
  if (choice.type === 'tool') return choice.name;
  if (choice.type === 'required') return request.tools?.[0]?.name;
  return undefined;
}

function lastUserText(request: UnifiedChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role !== 'user') continue;
    return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  }
  return '';
}
