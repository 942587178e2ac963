// Unified response -> Anthropic Messages response JSON (for the Anthropic front door).

import { randomUUID } from 'node:crypto';
import type { UnifiedChatResponse, OutputPart } from '../../unified/chat-response.js';
import type { AnthropicMessagesResponse, AnthropicResponseContentBlock } from './anthropic-messages-types.js';
import { usageToAnthropic } from './anthropic-usage.js';
import { mcpBlocks } from './encode-anthropic-mcp-blocks.js';
import { toAnthropicStopReason } from './map-anthropic-stop-reason.js';
import { parseToolCallInput } from './tool-call-input.js';

/**
 * Key under which a tool call's arguments travel when another provider's model produced
 * arguments that are not a JSON object: `tool_use.input` must be an object, and dropping the
 * model's output silently would hide the problem from the caller.
 */
export const RAW_TOOL_ARGUMENTS_KEY = '_switchyard_raw_arguments';

/**
 * The Anthropic front door's message id: `msg_`-prefixed as Anthropic's are, whatever the upstream
 * (an OpenAI upstream's `chatcmpl-...` would otherwise reach Anthropic callers). An Anthropic
 * upstream's own id passes unchanged; another upstream's id, in a safe alphabet, is kept after the
 * prefix (`msg_chatcmpl-...`) so the answer can still be traced to the upstream call.
 */
export function anthropicMessageId(upstreamId: string): string {
  if (upstreamId.startsWith('msg_')) return upstreamId;
  if (/^[A-Za-z0-9_.-]{1,200}$/.test(upstreamId)) return `msg_${upstreamId}`;
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

function toolUseInputFromArguments(argumentsText: string): Record<string, unknown> {
  const parsed = parseToolCallInput(argumentsText);
  return parsed.ok ? parsed.input : { [RAW_TOOL_ARGUMENTS_KEY]: argumentsText };
}

function toContentBlock(part: OutputPart): AnthropicResponseContentBlock | undefined {
  switch (part.type) {
    case 'text':
      return part.text === '' ? undefined : { type: 'text', text: part.text };
    case 'reasoning':
      if (part.redactedData !== undefined) return { type: 'redacted_thinking', data: part.redactedData };
      return { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
    case 'tool_call':
      return { type: 'tool_use', id: part.id, name: part.name, input: toolUseInputFromArguments(part.arguments) };
  }
}

/** `requestedModel` is the public model name the caller used; the reply echoes it. */
export function encodeAnthropicResponse(response: UnifiedChatResponse, requestedModel: string): AnthropicMessagesResponse {
  // The gateway's hosted calls (only when the request named mcp_servers) came before the answer.
  const content: AnthropicResponseContentBlock[] = mcpBlocks(response.hosted);
  for (const part of response.content) {
    const block = toContentBlock(part);
    if (block !== undefined) content.push(block);
  }
  const { stop_reason, stop_sequence } = toAnthropicStopReason(response.finishReason, response.stopSequence);
  return {
    id: anthropicMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: requestedModel,
    content,
    stop_reason,
    stop_sequence,
    usage: usageToAnthropic(response.usage),
  };
}
