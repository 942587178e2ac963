// Anthropic Messages response JSON -> unified response.

import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';
import { readAnthropicUsage, usageFromAnthropic } from './anthropic-usage.js';
import { isRecord, stringField, type JsonRecord } from '@switchyard/compiler';
import type { OutputPart, UnifiedChatResponse } from '../../unified/chat-response.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { isJsonResponseTool } from './json-response-tool.js';

export function decodeAnthropicResponse(body: unknown, nowMs: number = Date.now()): UnifiedChatResponse {
  if (!isRecord(body) || !Array.isArray(body['content'])) {
    throw new UpstreamFailure('Other', 200, 'anthropic returned a response without a content array');
  }
  const content: OutputPart[] = [];
  let toolCalls = 0;
  let jsonAnswer = false;
  body['content'].forEach((block: unknown, index: number) => {
    if (!isRecord(block)) throw malformedBlock(index, 'not an object');
    const part = decodeContentBlock(block, index);
    if (part === undefined) return;
    if (part.type === 'tool_call') toolCalls++;
    if (part.type === 'text' && block['type'] === 'tool_use') jsonAnswer = true;
    content.push(part);
  });

  let { finishReason, stopSequence } = mapAnthropicStopReason(stringField(body, 'stop_reason'), stringField(body, 'stop_sequence'));
  // The forced JSON-answer tool ends the turn with tool_use; to the caller it is a finished answer.
  if (finishReason === 'tool_calls' && toolCalls === 0 && jsonAnswer) finishReason = 'stop';

  const response: UnifiedChatResponse = {
    id: stringField(body, 'id') ?? '',
    model: stringField(body, 'model') ?? '',
    created: Math.floor(nowMs / 1000),
    content,
    finishReason,
    usage: usageFromAnthropic(readAnthropicUsage(body['usage'])),
  };
  if (stopSequence !== undefined) response.stopSequence = stopSequence;
  return response;
}

function decodeContentBlock(block: JsonRecord, index: number): OutputPart | undefined {
  switch (block['type']) {
    case 'text': {
      const text = stringField(block, 'text');
      if (text === undefined) throw malformedBlock(index, 'text block without text');
      return { type: 'text', text };
    }
    case 'thinking': {
      const part: OutputPart = { type: 'reasoning', text: stringField(block, 'thinking') ?? '' };
      const signature = stringField(block, 'signature');
      if (signature !== undefined && signature !== '') part.signature = signature;
      return part;
    }
    case 'redacted_thinking':
      return { type: 'reasoning', text: '', redactedData: stringField(block, 'data') ?? '' };
    case 'tool_use': {
      const id = stringField(block, 'id');
      const name = stringField(block, 'name');
      if (id === undefined || name === undefined) throw malformedBlock(index, 'tool_use block without id or name');
      const input = block['input'] ?? {};
      if (isJsonResponseTool(name)) return { type: 'text', text: JSON.stringify(input) };
      return { type: 'tool_call', id, name, arguments: JSON.stringify(input) };
    }
    default:
      // Server-tool blocks (web search, code execution) and future types: nothing a unified caller can use.
      return undefined;
  }
}

function malformedBlock(index: number, problem: string): UpstreamFailure {
  return new UpstreamFailure('Other', 200, `anthropic returned a malformed content[${index}]: ${problem}`);
}
