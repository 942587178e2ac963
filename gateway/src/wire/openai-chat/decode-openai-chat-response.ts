// A Chat Completions response body (OpenAI or compatible) -> UnifiedChatResponse.

import type { ProviderName } from '@switchyard/compiler';
import { isRecord, optionalNumber, optionalString } from '@switchyard/compiler';
import { finishReasonFromOpenAI } from './map-openai-finish-reason.js';
import { usageFromOpenAI } from './openai-usage.js';
import type { OutputPart, UnifiedChatResponse } from '../../unified/chat-response.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { readAssistantOutput } from './openai-message-content.js';
import { generatedToolCallId } from './tool-call-id.js';

export function decodeOpenAIChatResponse(body: unknown, provider: ProviderName): UnifiedChatResponse {
  if (!isRecord(body) || !Array.isArray(body.choices)) throw malformed(provider, 'no choices array');
  const choice = body.choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) throw malformed(provider, 'choices[0].message missing');
  const message = choice.message;

  const output = readAssistantOutput(message);
  const content: OutputPart[] = [];
  if (output.reasoning !== '') content.push({ type: 'reasoning', text: output.reasoning });
  const refusal = optionalString(message.refusal);
  if (output.text !== '') content.push({ type: 'text', text: output.text });
  else if (refusal) content.push({ type: 'text', text: refusal });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isRecord(call) || !isRecord(call.function)) continue;
      const name = optionalString(call.function.name);
      if (!name) continue;
      const args = call.function.arguments;
      content.push({
        type: 'tool_call',
        id: optionalString(call.id) || generatedToolCallId(),
        name,
        // A few providers return arguments as an object rather than JSON text.
        arguments: typeof args === 'string' ? args : args === undefined ? '{}' : JSON.stringify(args),
      });
    }
  }

  let finishReason = finishReasonFromOpenAI(choice.finish_reason);
  if (refusal && output.text === '') finishReason = 'refusal';
  const usage = usageFromOpenAI(body.usage ?? (isRecord(body.x_groq) ? body.x_groq.usage : undefined));
  return {
    id: optionalString(body.id) ?? '',
    model: optionalString(body.model) ?? '',
    created: optionalNumber(body.created) ?? Math.floor(Date.now() / 1000),
    content,
    finishReason,
    usage,
  };
}

function malformed(provider: ProviderName, detail: string): UpstreamFailure {
  return new UpstreamFailure('ServerError', 200, `${provider} returned a malformed chat completion: ${detail}`);
}
