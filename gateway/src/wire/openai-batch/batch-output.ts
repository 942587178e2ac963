// Batch results as the caller reads them: OpenAI's batch output lines
// (`{id, custom_id, response: {status_code, request_id, body}, error}`), whichever provider ran
// the batch, with the usage they add up to (what the batch is charged for when they are fetched).
import { emptyUsage, isRecord, type Usage } from '@switchyard/compiler';
import type { BatchResults } from '../../unified/batch.js';
import type { UnifiedChatResponse } from '../../unified/chat-response.js';
import { decodeAnthropicResponse } from '../anthropic-messages/index.js';
import { decodeOpenAIChatResponse, encodeOpenAIChatCompletion } from '../openai-chat/index.js';

function addUsage(total: Usage, usage: Usage): void {
  total.inputTokens += usage.inputTokens;
  total.cachedInputTokens += usage.cachedInputTokens;
  total.cacheWriteTokens += usage.cacheWriteTokens;
  total.outputTokens += usage.outputTokens;
  total.reasoningTokens += usage.reasoningTokens;
}

/**
 * An OpenAI-format output file (OpenAI, Azure): each answered line's body names the gateway's
 * public model again, and its usage is added up. Lines that are not JSON are dropped (an
 * upstream's output file holds nothing else).
 */
export function translateOpenAIBatchOutput(text: string, publicModel: string): BatchResults {
  const usage = emptyUsage();
  let jsonl = '';
  let answered = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      continue;
    }
    if (!isRecord(line)) continue;
    const response = line.response;
    if (isRecord(response) && isRecord(response.body) && response.status_code === 200) {
      try {
        addUsage(usage, decodeOpenAIChatResponse(response.body, 'openai').usage);
        answered += 1;
      } catch {
        // An answer without choices is passed on as it came; it carries no usage to charge.
      }
      response.body = { ...response.body, model: publicModel };
    }
    jsonl += `${JSON.stringify(line)}\n`;
  }
  return { jsonl, usage, answered };
}

/**
 * Anthropic's results file (`{custom_id, result: {type: succeeded | errored | canceled |
 * expired, ...}}` per line) as OpenAI output lines: a succeeded message becomes the chat
 * completion the chat endpoint would have answered; anything else an `error` naming its type.
 */
export function translateAnthropicBatchResults(text: string, publicModel: string, batchId: string, nowMs: number): BatchResults {
  const usage = emptyUsage();
  let jsonl = '';
  let answered = 0;
  let index = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      continue;
    }
    if (!isRecord(line) || typeof line.custom_id !== 'string' || !isRecord(line.result)) continue;
    index += 1;
    const id = `batch_req_${batchId.replace(/^batch_/, '')}_${index}`;
    const result = line.result;
    let response: UnifiedChatResponse | undefined;
    if (result.type === 'succeeded') {
      try {
        response = decodeAnthropicResponse(result.message, nowMs);
      } catch {
        response = undefined;
      }
    }
    if (response !== undefined) {
      addUsage(usage, response.usage);
      answered += 1;
      const body = encodeOpenAIChatCompletion(response, publicModel);
      jsonl += `${JSON.stringify({ id, custom_id: line.custom_id, response: { status_code: 200, request_id: id, body }, error: null })}\n`;
    } else {
      jsonl += `${JSON.stringify({ id, custom_id: line.custom_id, response: null, error: anthropicResultError(result) })}\n`;
    }
  }
  return { jsonl, usage, answered };
}

function anthropicResultError(result: Record<string, unknown>): { code: string; message: string } {
  const type = typeof result.type === 'string' ? result.type : 'errored';
  // errored: {error: {type: "error", error: {type, message}}} (the Messages API's error body)
  const outer = isRecord(result.error) ? result.error : undefined;
  const inner = outer !== undefined && isRecord(outer.error) ? outer.error : outer;
  const message = inner !== undefined && typeof inner.message === 'string' ? inner.message : `request ${type}`;
  const code = inner !== undefined && typeof inner.type === 'string' ? inner.type : type;
  return { code, message: message.slice(0, 2048) };
}
