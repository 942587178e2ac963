// The reverse direction, unified -> Converse wire shapes: what a Bedrock mock answers with when a
// test scripts a reply in unified terms (exact usage, tool calls, stop reasons).

import type { Usage } from '@switchyard/compiler';
import type { FinishReason, UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import type {
  ConverseContentBlock,
  ConverseResponse,
  ConverseStopReason,
  ConverseStreamEvent,
  ConverseUsage,
} from '../../../src/wire/bedrock-converse/converse-types.js';

/** Unified usage counts cached prompt tokens in inputTokens; Converse reports them beside it. */
export function converseUsageFromUnified(usage: Usage): ConverseUsage {
  const inputTokens = usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens;
  return {
    inputTokens,
    outputTokens: usage.outputTokens,
    totalTokens: usage.inputTokens + usage.outputTokens,
    cacheReadInputTokens: usage.cachedInputTokens,
    cacheWriteInputTokens: usage.cacheWriteTokens,
  };
}

export function converseStopReasonFromUnified(finishReason: FinishReason, stopSequence?: string): ConverseStopReason {
  switch (finishReason) {
    case 'stop':
      return stopSequence === undefined ? 'end_turn' : 'stop_sequence';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
    case 'refusal':
      return 'content_filtered';
    case 'error':
      return 'malformed_model_output';
    case 'other':
      return 'end_turn';
  }
}

function additionalFields(response: UnifiedChatResponse): Record<string, unknown> | undefined {
  return response.stopSequence === undefined ? undefined : { stop_sequence: response.stopSequence };
}

function parseArguments(text: string): unknown {
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

export function converseResponseFromUnified(response: UnifiedChatResponse, latencyMs = 0): ConverseResponse {
  const content: ConverseContentBlock[] = response.content.map(converseBlockFromUnified);
  const extra = additionalFields(response);
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: converseStopReasonFromUnified(response.finishReason, response.stopSequence),
    usage: converseUsageFromUnified(response.usage),
    metrics: { latencyMs },
    ...(extra ? { additionalModelResponseFields: extra } : {}),
  };
}

function chunks(text: string, size: number): string[] {
  if (text === '') return [];
  const out: string[] = [];
  const chars = Array.from(text); // never split a surrogate pair
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/** The ConverseStream events Bedrock would send for this response, text split into `chunkSize`-character deltas. */
export function converseStreamEventsFromUnified(response: UnifiedChatResponse, chunkSize = 8, latencyMs = 0): ConverseStreamEvent[] {
  const events: ConverseStreamEvent[] = [{ eventType: 'messageStart', payload: { role: 'assistant' } }];
  response.content.forEach((part, contentBlockIndex) => {
    switch (part.type) {
      case 'text':
        for (const text of chunks(part.text, chunkSize))
          events.push({ eventType: 'contentBlockDelta', payload: { contentBlockIndex, delta: { text } } });
        break;
      case 'reasoning':
        if (part.redactedData !== undefined) {
          events.push({
            eventType: 'contentBlockDelta',
            payload: { contentBlockIndex, delta: { reasoningContent: { redactedContent: part.redactedData } } },
          });
          break;
        }
        for (const text of chunks(part.text, chunkSize))
          events.push({ eventType: 'contentBlockDelta', payload: { contentBlockIndex, delta: { reasoningContent: { text } } } });
        if (part.signature !== undefined)
          events.push({
            eventType: 'contentBlockDelta',
            payload: { contentBlockIndex, delta: { reasoningContent: { signature: part.signature } } },
          });
        break;
      case 'tool_call':
        events.push({
          eventType: 'contentBlockStart',
          payload: { contentBlockIndex, start: { toolUse: { toolUseId: part.id, name: part.name } } },
        });
        for (const input of chunks(part.arguments, chunkSize))
          events.push({ eventType: 'contentBlockDelta', payload: { contentBlockIndex, delta: { toolUse: { input } } } });
        break;
    }
    events.push({ eventType: 'contentBlockStop', payload: { contentBlockIndex } });
  });
  const extra = additionalFields(response);
  events.push({
    eventType: 'messageStop',
    payload: {
      stopReason: converseStopReasonFromUnified(response.finishReason, response.stopSequence),
      ...(extra ? { additionalModelResponseFields: extra } : {}),
    },
  });
  events.push({ eventType: 'metadata', payload: { usage: converseUsageFromUnified(response.usage), metrics: { latencyMs } } });
  return events;
}

function converseBlockFromUnified(part: UnifiedChatResponse['content'][number]): ConverseContentBlock {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'tool_call':
      return { toolUse: { toolUseId: part.id, name: part.name, input: parseArguments(part.arguments) } };
    case 'reasoning':
      return part.redactedData !== undefined
        ? { reasoningContent: { redactedContent: part.redactedData } }
        : {
            reasoningContent: {
              reasoningText: { text: part.text, ...(part.signature === undefined ? {} : { signature: part.signature }) },
            },
          };
  }
}
