// Unified output parts -> Gemini response parts (the reverse of convertGeminiPartsToOutput).
// A signature-only reasoning part attaches its signature to the part after it, or to the one
// before it when it is last. Tool-call arguments that are not a JSON object (a truncated call
// from another provider) become `{}`, since Gemini clients expect `args` to be an object.

import type { OutputPart } from '../../unified/chat-response.js';
import type { GeminiFunctionCall, GeminiPart } from './gemini-wire-types.js';

export function convertOutputToGeminiParts(content: OutputPart[]): GeminiPart[] {
  const parts: GeminiPart[] = [];
  let pendingSignature: string | undefined;
  const push = (part: GeminiPart): void => {
    if (pendingSignature !== undefined && part.thoughtSignature === undefined) part.thoughtSignature = pendingSignature;
    pendingSignature = undefined;
    parts.push(part);
  };
  for (const part of content) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') push({ text: part.text });
        break;
      case 'reasoning':
        if (part.text !== '')
          push(
            part.signature === undefined
              ? { text: part.text, thought: true }
              : { text: part.text, thought: true, thoughtSignature: part.signature },
          );
        else if (part.signature !== undefined) pendingSignature = part.signature;
        break;
      case 'tool_call':
        push({ functionCall: toGeminiFunctionCall(part.id, part.name, part.arguments) });
        break;
    }
  }
  if (pendingSignature !== undefined) {
    const previous = parts[parts.length - 1];
    if (previous !== undefined && previous.thoughtSignature === undefined) previous.thoughtSignature = pendingSignature;
    else parts.push({ text: '', thoughtSignature: pendingSignature });
  }
  return parts;
}

export function toGeminiFunctionCall(id: string, name: string, argumentsJson: string): GeminiFunctionCall {
  return { id, name, args: parseArgumentsObject(argumentsJson) };
}

function parseArgumentsObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
