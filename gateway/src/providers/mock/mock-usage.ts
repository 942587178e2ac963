// Deterministic token counts for the mock provider, by the gateway's one token estimate (one
// token per 4 bytes of UTF-8, unified/estimate-input-tokens.ts): the prompt tokens a mock answer
// reports for a text conversation are what count_tokens and countTokens answer for it, whichever
// front door asks, and close enough to real tokenizers for budgets and dashboards to look
// plausible.
import type { ContentPart, UnifiedChatRequest } from '../../unified/chat-request.js';
import { estimateTextTokens } from '../../unified/estimate-input-tokens.js';

export function estimateTokens(text: string): number {
  return estimateTextTokens(text);
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
