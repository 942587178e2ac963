// POST /anthropic/v1/messages/count_tokens: a cheap, deterministic estimate of a request's
// input tokens, computed in the gateway without calling any provider (the request may be routed
// to a provider with no counting API, and a count must not cost an upstream call).
//
// The estimate errs high, because callers use it to check a prompt against a context window or
// a budget: text counts one token per 3 bytes of UTF-8 (tokenizers average 3.5 to 4.5 bytes per
// token on English prose and code); each image counts 1,600 tokens, the most Anthropic charges
// for one image (it scales larger ones down); a base64 PDF counts 3,000 tokens per page (text
// plus the page image), a PDF by URL one page (it is not fetched); each message adds 4 tokens of
// framing and a request with tools 350 tokens for the tool-use instructions. The formula is
// documented in docs/frontdoors/anthropic.md.

import type { ContentPart, DocumentPart, UnifiedChatRequest } from '../../unified/chat-request.js';
import type { CountTokensCodec } from '../../unified/front-door-codec.js';
import { decodeAnthropicMessagesRequest } from './decode-anthropic-messages-request.js';

export const BYTES_PER_TOKEN = 3;
export const IMAGE_TOKENS = 1_600;
export const PDF_PAGE_TOKENS = 3_000;
export const MESSAGE_FRAMING_TOKENS = 4;
export const TOOL_USE_INSTRUCTION_TOKENS = 350;

function textTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN);
}

/** Pages of a PDF, counted from its page objects; at least one. */
export function pdfPageCount(base64: string): number {
  const text = Buffer.from(base64, 'base64').toString('latin1');
  const pages = text.match(/\/Type\s*\/Page(?![A-Za-z])/g);
  return Math.max(1, pages?.length ?? 0);
}

function documentTokens(part: DocumentPart): number {
  const source = part.source;
  const title = part.title === undefined ? 0 : textTokens(part.title);
  if (source.kind === 'text') return title + textTokens(source.text);
  if (source.kind === 'url') return title + PDF_PAGE_TOKENS;
  if (part.mediaType === 'application/pdf') return title + pdfPageCount(source.data) * PDF_PAGE_TOKENS;
  // Other base64 documents (plain text sent as base64 by other front doors).
  return title + Math.ceil((source.data.length * 3) / 4 / BYTES_PER_TOKEN);
}

function partTokens(part: ContentPart): number {
  switch (part.type) {
    case 'text':
      return textTokens(part.text);
    case 'image':
      return IMAGE_TOKENS;
    case 'document':
      return documentTokens(part);
    case 'tool_call':
      return textTokens(part.name) + textTokens(part.arguments);
    case 'tool_result':
      return part.content.reduce((sum, inner) => sum + partTokens(inner), 0);
    case 'reasoning':
      return textTokens(part.text) + (part.redactedData === undefined ? 0 : textTokens(part.redactedData));
  }
}

export function estimateInputTokens(request: UnifiedChatRequest): number {
  let total = 0;
  for (const message of request.messages) {
    total += MESSAGE_FRAMING_TOKENS;
    for (const part of message.content) total += partTokens(part);
  }
  if (request.tools !== undefined && request.tools.length > 0) {
    total += TOOL_USE_INSTRUCTION_TOKENS;
    for (const tool of request.tools) {
      total += textTokens(JSON.stringify({ name: tool.name, description: tool.description ?? '', input_schema: tool.parameters }));
    }
  }
  if (request.responseFormat?.type === 'json_schema') total += textTokens(JSON.stringify(request.responseFormat.schema));
  return total;
}

/** count_tokens for the pipeline, which authorizes the decoded request's model as for a real request (403/404 otherwise). */
export const anthropicCountTokensCodec: CountTokensCodec = {
  decodeCountTokensRequest: (body) => decodeAnthropicMessagesRequest(body, { countTokens: true }),
  estimateInputTokens,
  encodeCountTokensResponse: (inputTokens) => JSON.stringify({ input_tokens: inputTokens }),
};
