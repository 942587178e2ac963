// UnifiedChatResponse -> a `chat.completion` object. `model` is the public name the caller used,
// never the provider's id, so clients keep seeing the name they asked for.

import { openAIFinishReason } from './map-openai-finish-reason.js';
import type { OpenAIChatCompletion, OpenAIResponseMessage, OpenAIToolCall } from './openai-chat-types.js';
import { openAIUsageFromUsage } from './openai-usage.js';
import type { UnifiedChatResponse } from '../../unified/chat-response.js';
import { chatCompletionId } from './completion-id.js';

export function encodeOpenAIChatCompletion(response: UnifiedChatResponse, requestedModel: string): OpenAIChatCompletion {
  let text = '';
  let reasoning = '';
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of response.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
  }
  const refused = response.finishReason === 'refusal';
  const message: OpenAIResponseMessage = {
    role: 'assistant',
    // A refusal's text goes in `refusal`, where OpenAI puts it and SDK helpers look for it.
    content: refused || (text === '' && toolCalls.length > 0) ? null : text,
    refusal: refused ? text || 'The model declined to respond.' : null,
    annotations: [],
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  return {
    id: chatCompletionId(response.id),
    object: 'chat.completion',
    created: response.created,
    model: requestedModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: openAIFinishReason(response.finishReason) }],
    usage: openAIUsageFromUsage(response.usage),
  };
}
