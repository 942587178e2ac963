// Deterministic token counts for the mock provider: one token per four characters, rounded up,
// which is close enough to real tokenizers for budgets and dashboards to look plausible.
import type { ContentPart, UnifiedChatRequest } from '../../unified/chat-request.js';

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function promptText(request: UnifiedChatRequest): string {
  let text = '';
  for (const message of request.messages) {
    for (const part of message.content) text += partText(part);
  }
  return text;
}

function partText(part: ContentPart): string {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.text;
    case 'tool_call':
      return part.name + part.arguments;
    case 'tool_result':
      return part.content.map((inner) => (inner.type === 'text' ? inner.text : '')).join('');
    default:
      return '';
  }
}
