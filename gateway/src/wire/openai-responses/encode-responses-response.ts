// UnifiedChatResponse -> a `response` object. The request-derived members (id, model,
// instructions, tools, ...) come from the envelope the front door built when it decoded the
// request; this adds what the model produced: output items, status and usage.

import type { Usage } from '@switchyard/compiler';
import type { OutputPart, UnifiedChatResponse } from '../../unified/chat-response.js';
import { responsesOutcome, type ResponsesOutcome } from './map-responses-status.js';
import type {
  ResponsesItemStatus,
  ResponsesMessageContent,
  ResponsesOutputItem,
  ResponsesReasoningItem,
  ResponsesResponse,
} from './openai-responses-types.js';
import { encodeMcpItems } from './encode-responses-mcp-items.js';
import { newItemId } from './responses-ids.js';
import { encodeReasoningState } from './responses-reasoning-state.js';
import { responsesUsageFromUsage } from './responses-usage.js';

/** Everything in a `response` object that is known before the model answers. */
export type ResponsesEnvelope = Omit<ResponsesResponse, 'status' | 'completed_at' | 'error' | 'incomplete_details' | 'output' | 'usage'>;

export interface ResponsesOutputOptions {
  /** `include: ["reasoning.encrypted_content"]`: reasoning items carry their provider state. */
  includeEncryptedReasoning: boolean;
}

/** OpenAI's wording when a model declines without saying why. */
export const DEFAULT_REFUSAL = 'The model declined to respond.';

export function encodeResponsesResponse(
  envelope: ResponsesEnvelope,
  response: UnifiedChatResponse,
  options: ResponsesOutputOptions,
): ResponsesResponse {
  const outcome = responsesOutcome(response.finishReason);
  const output = encodeResponsesOutput(response.content, response.finishReason === 'refusal', options);
  // The model moved on from every item but the last, which the outcome describes.
  const last = output[output.length - 1];
  if (last !== undefined && last.type !== 'mcp_list_tools' && last.type !== 'mcp_call') last.status = itemStatusFor(outcome);
  // The hosted tools the gateway listed and ran (requests with `mcp` tools) came before the answer.
  return finishedResponse(envelope, outcome, [...encodeMcpItems(response.hosted), ...output], response.usage);
}

export function finishedResponse(
  envelope: ResponsesEnvelope,
  outcome: ResponsesOutcome,
  output: ResponsesOutputItem[],
  usage: Usage | undefined,
): ResponsesResponse {
  const completedAt = outcome.status === 'completed' ? Math.floor(Date.now() / 1000) : null;
  return responseObject(
    envelope,
    outcome.status,
    completedAt,
    outcome.error,
    outcome.incompleteDetails,
    output,
    usage === undefined ? undefined : responsesUsageFromUsage(usage),
  );
}

/** The response as response.created and response.in_progress carry it: no output yet. */
export function inProgressResponse(envelope: ResponsesEnvelope): ResponsesResponse {
  return responseObject(envelope, 'in_progress', null, null, null, [], undefined);
}

function responseObject(
  envelope: ResponsesEnvelope,
  status: ResponsesResponse['status'],
  completedAt: number | null,
  error: ResponsesResponse['error'],
  incompleteDetails: ResponsesResponse['incomplete_details'],
  output: ResponsesOutputItem[],
  usage: ResponsesResponse['usage'],
): ResponsesResponse {
  // Members in the order OpenAI writes them, for people reading responses.
  const { id, object, created_at, ...echo } = envelope;
  const response: ResponsesResponse = {
    id,
    object,
    created_at,
    status,
    completed_at: completedAt,
    error,
    incomplete_details: incompleteDetails,
    ...echo,
    output,
  };
  if (usage !== undefined) response.usage = usage;
  return response;
}

export function itemStatusFor(outcome: ResponsesOutcome): ResponsesItemStatus {
  return outcome.status === 'completed' ? 'completed' : 'incomplete';
}

/**
 * Unified output parts -> completed output items, in order: adjacent text parts share one
 * message item, each reasoning part is a reasoning item, each tool call a function_call item.
 */
function encodeResponsesOutput(content: OutputPart[], refused: boolean, options: ResponsesOutputOptions): ResponsesOutputItem[] {
  const status: ResponsesItemStatus = 'completed';
  const items: ResponsesOutputItem[] = [];
  let message: { item: ResponsesOutputItem & { type: 'message' }; text: string } | undefined;
  const closeMessage = (): void => {
    if (message === undefined) return;
    message.item.content = [messageContent(message.text, refused)];
    message = undefined;
  };
  for (const part of content) {
    switch (part.type) {
      case 'text':
        if (message === undefined) {
          message = { item: { type: 'message', id: newItemId('msg'), role: 'assistant', status, content: [] }, text: '' };
          items.push(message.item);
        }
        message.text += part.text;
        break;
      case 'reasoning':
        closeMessage();
        items.push(encodeReasoningItem(newItemId('rs'), part, status, options));
        break;
      case 'tool_call':
        closeMessage();
        items.push({ type: 'function_call', id: newItemId('fc'), call_id: part.id, name: part.name, arguments: part.arguments, status });
        break;
    }
  }
  closeMessage();
  // A refusal with no words still has to say so: a message holding the default refusal.
  if (refused && !items.some((item) => item.type === 'message')) {
    items.push({
      type: 'message',
      id: newItemId('msg'),
      role: 'assistant',
      status,
      content: [{ type: 'refusal', refusal: DEFAULT_REFUSAL }],
    });
  }
  return items;
}

function messageContent(text: string, refused: boolean): ResponsesMessageContent {
  if (refused) return { type: 'refusal', refusal: text === '' ? DEFAULT_REFUSAL : text };
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function encodeReasoningItem(
  id: string,
  part: { text: string; signature?: string | undefined; redactedData?: string | undefined },
  status: ResponsesItemStatus,
  options: ResponsesOutputOptions,
): ResponsesReasoningItem {
  const item: ResponsesReasoningItem = {
    type: 'reasoning',
    id,
    summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }],
    status,
  };
  if (options.includeEncryptedReasoning) {
    const hasState = part.signature !== undefined || part.redactedData !== undefined;
    item.encrypted_content = hasState
      ? encodeReasoningState({
          text: part.text,
          ...(part.signature === undefined ? {} : { signature: part.signature }),
          ...(part.redactedData === undefined ? {} : { redactedData: part.redactedData }),
        })
      : null;
  }
  return item;
}
