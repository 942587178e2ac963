// Bedrock Converse response body -> unified response.

import type { OutputPart, UnifiedChatResponse } from '../../unified/chat-response.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { unifiedUsageFromBedrock } from './bedrock-usage.js';
import { JSON_RESPONSE_TOOL_NAME } from './bedrock-json-response-tool.js';
import { mapBedrockStopReason } from './map-bedrock-stop-reason.js';
import { isRecord } from '@switchyard/compiler';

export interface ResponseIdentity {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
}

function stringField(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' ? value : undefined;
}

function convertBlock(block: unknown): OutputPart | undefined {
  if (!isRecord(block)) return undefined;
  const text = stringField(block, 'text');
  if (text !== undefined) return { type: 'text', text };

  const toolUse = block['toolUse'];
  if (isRecord(toolUse)) {
    const input = toolUse['input'] ?? {};
    const name = stringField(toolUse, 'name') ?? '';
    // The response_format tool carries the answer itself.
    if (name === JSON_RESPONSE_TOOL_NAME) return { type: 'text', text: JSON.stringify(input) };
    return { type: 'tool_call', id: stringField(toolUse, 'toolUseId') ?? '', name, arguments: JSON.stringify(input) };
  }

  const reasoning = block['reasoningContent'];
  if (isRecord(reasoning)) {
    const reasoningText = reasoning['reasoningText'];
    if (isRecord(reasoningText)) {
      const signature = stringField(reasoningText, 'signature');
      return { type: 'reasoning', text: stringField(reasoningText, 'text') ?? '', ...(signature === undefined ? {} : { signature }) };
    }
    const redacted = stringField(reasoning, 'redactedContent');
    if (redacted !== undefined) return { type: 'reasoning', text: '', redactedData: redacted };
  }
  // Images, citations, guard content and future block types carry nothing a front door renders.
  return undefined;
}

export function convertFromBedrockConverse(body: unknown, identity: ResponseIdentity): UnifiedChatResponse {
  const parsed: unknown = typeof body === 'string' ? safeJson(body) : body;
  const output = isRecord(parsed) ? parsed['output'] : undefined;
  const message = isRecord(output) ? output['message'] : undefined;
  const blocks = isRecord(message) ? message['content'] : undefined;
  if (!isRecord(parsed) || !Array.isArray(blocks)) {
    throw new UpstreamFailure('Other', 200, 'Bedrock Converse response has no output.message.content array');
  }
  const content = blocks.map(convertBlock).filter((part): part is OutputPart => part !== undefined);
  const stop = mapBedrockStopReason(parsed['stopReason'], parsed['additionalModelResponseFields']);
  // Only the answer tool was called: to the caller this is a plain, finished answer.
  const answeredWithJsonTool =
    stop.finishReason === 'tool_calls' && !content.some((part) => part.type === 'tool_call') && blocks.some(isJsonToolUse);
  return {
    id: identity.id,
    model: identity.model,
    created: identity.created,
    content,
    finishReason: answeredWithJsonTool ? 'stop' : stop.finishReason,
    ...(stop.stopSequence === undefined ? {} : { stopSequence: stop.stopSequence }),
    usage: unifiedUsageFromBedrock(parsed['usage']),
  };
}

function isJsonToolUse(block: unknown): boolean {
  return isRecord(block) && isRecord(block['toolUse']) && block['toolUse']['name'] === JSON_RESPONSE_TOOL_NAME;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UpstreamFailure('Other', 200, 'Bedrock Converse response is not JSON');
  }
}
