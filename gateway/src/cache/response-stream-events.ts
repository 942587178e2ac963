// A stored unified response -> the unified stream events a provider would have sent for it, so a
// cached answer can be served to a streaming caller through the front door's own stream encoder.
import type { UnifiedChatResponse } from '../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../unified/stream-events.js';

export function responseStreamEvents(response: UnifiedChatResponse): UnifiedStreamEvent[] {
  const events: UnifiedStreamEvent[] = [{ type: 'response_start', id: response.id, model: response.model, created: response.created }];
  let toolIndex = 0;
  for (const part of response.content) {
    switch (part.type) {
      case 'text':
        events.push({ type: 'text_delta', text: part.text });
        break;
      case 'reasoning':
        if (part.redactedData !== undefined) {
          events.push({ type: 'reasoning_redacted', data: part.redactedData });
          break;
        }
        events.push({ type: 'reasoning_delta', text: part.text });
        if (part.signature !== undefined) events.push({ type: 'reasoning_signature', signature: part.signature });
        break;
      case 'tool_call':
        events.push({ type: 'tool_call_start', index: toolIndex, id: part.id, name: part.name });
        events.push({ type: 'tool_call_delta', index: toolIndex, argumentsDelta: part.arguments });
        toolIndex += 1;
        break;
    }
  }
  const finish: UnifiedStreamEvent = { type: 'finish', finishReason: response.finishReason };
  if (response.stopSequence !== undefined) finish.stopSequence = response.stopSequence;
  events.push(finish, { type: 'usage', usage: response.usage });
  return events;
}
