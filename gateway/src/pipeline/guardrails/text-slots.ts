// The texts of a request or an answer that guardrails read and may rewrite: message text,
// text documents, tool-call arguments (JSON) and tool results, in order. Images and reasoning
// are not text a check can rewrite (reasoning carries a signature the provider verifies).
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { UnifiedChatResponse } from '../../unified/chat-response.js';

export interface TextSlot {
  /** Tool-call arguments: JSON text whose strings are checked one by one. */
  readonly json: boolean;
  get(): string;
  set(text: string): void;
}

export function chatRequestSlots(request: UnifiedChatRequest): TextSlot[] {
  const slots: TextSlot[] = [];
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'text') {
        slots.push({ json: false, get: () => part.text, set: (text) => void (part.text = text) });
      } else if (part.type === 'document') {
        const source = part.source;
        if (source.kind === 'text') slots.push({ json: false, get: () => source.text, set: (text) => void (source.text = text) });
      } else if (part.type === 'tool_call') {
        slots.push({ json: true, get: () => part.arguments, set: (text) => void (part.arguments = text) });
      } else if (part.type === 'tool_result') {
        for (const inner of part.content) {
          if (inner.type === 'text') slots.push({ json: false, get: () => inner.text, set: (text) => void (inner.text = text) });
        }
      }
    }
  }
  return slots;
}

export function embeddingsRequestSlots(request: UnifiedEmbeddingsRequest): TextSlot[] {
  return request.input.map((_, i) => ({
    json: false,
    get: () => request.input[i] as string,
    set: (text: string) => void (request.input[i] = text),
  }));
}

export function chatResponseSlots(response: UnifiedChatResponse): TextSlot[] {
  const slots: TextSlot[] = [];
  for (const part of response.content) {
    if (part.type === 'text') slots.push({ json: false, get: () => part.text, set: (text) => void (part.text = text) });
    else if (part.type === 'tool_call') slots.push({ json: true, get: () => part.arguments, set: (text) => void (part.arguments = text) });
  }
  return slots;
}
