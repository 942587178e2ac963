// The gateway's one estimate of a chat request's input tokens, computed on the unified request so
// the same conversation gets the same number whichever front door asks: Anthropic's
// count_tokens, Gemini's countTokens, and the prompt tokens the mock provider reports to every
// front door. It is an estimate, not a tokenizer (the route's provider may have none the gateway
// can run), documented in docs/frontdoors/anthropic.md and docs/frontdoors/gemini.md:
//
//  - text (system and every message, thinking, tool calls and results, text documents, tool
//    definitions as JSON, a response schema as JSON): one token per 4 bytes of UTF-8, summed over
//    the whole request and rounded up once, so splitting the same text into more parts or
//    messages does not change the count (4 bytes is one English token on average; text in
//    scripts of 2-4 bytes a character counts more, as tokenizers charge it);
//  - no per-message or per-request framing: each provider frames messages its own way, and a
//    system prompt is a message like the others whichever field carried it;
//  - each image: IMAGE_TOKENS; a base64 PDF: PDF_PAGE_TOKENS a page (page objects counted in the
//    file), a document by URL one page (it is not fetched), another base64 document its decoded
//    bytes as text.
//
// Admission's reservation estimate (governance/cost/estimate-prompt-tokens.ts) is a different
// number on purpose: an upper bound, so a reservation is never short.

import type { ContentPart, DocumentPart, UnifiedChatRequest } from './chat-request.js';

export const BYTES_PER_TOKEN = 4;
/** Above what Anthropic, OpenAI and Gemini charge for one image at their default detail. */
export const IMAGE_TOKENS = 1_600;
/** A PDF page's text plus its page image. */
export const PDF_PAGE_TOKENS = 3_000;

/** The estimate for one text on its own. */
export function estimateTextTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN);
}

/** Pages of a PDF, counted from its page objects; at least one. */
export function pdfPageCount(base64: string): number {
  const text = Buffer.from(base64, 'base64').toString('latin1');
  const pages = text.match(/\/Type\s*\/Page(?![A-Za-z])/g);
  return Math.max(1, pages?.length ?? 0);
}

/** Text bytes and fixed token charges, added up before the one rounding. */
interface Tally {
  bytes: number;
  tokens: number;
}

function addText(tally: Tally, text: string): void {
  tally.bytes += Buffer.byteLength(text, 'utf8');
}

function addDocument(tally: Tally, part: DocumentPart): void {
  if (part.title !== undefined) addText(tally, part.title);
  const source = part.source;
  if (source.kind === 'text') addText(tally, source.text);
  else if (source.kind === 'url') tally.tokens += PDF_PAGE_TOKENS;
  else if (part.mediaType === 'application/pdf') tally.tokens += pdfPageCount(source.data) * PDF_PAGE_TOKENS;
  else tally.bytes += Math.floor((source.data.length * 3) / 4);
}

function addPart(tally: Tally, part: ContentPart): void {
  switch (part.type) {
    case 'text':
      addText(tally, part.text);
      return;
    case 'reasoning':
      addText(tally, part.text);
      if (part.redactedData !== undefined) addText(tally, part.redactedData);
      return;
    case 'tool_call':
      addText(tally, part.name);
      addText(tally, part.arguments);
      return;
    case 'tool_result':
      for (const inner of part.content) addPart(tally, inner);
      return;
    case 'image':
      tally.tokens += IMAGE_TOKENS;
      return;
    case 'document':
      addDocument(tally, part);
      return;
  }
}

export function estimateInputTokens(request: UnifiedChatRequest): number {
  const tally: Tally = { bytes: 0, tokens: 0 };
  for (const message of request.messages) for (const part of message.content) addPart(tally, part);
  for (const tool of request.tools ?? []) {
    addText(tally, JSON.stringify({ name: tool.name, description: tool.description ?? '', parameters: tool.parameters }));
  }
  if (request.responseFormat?.type === 'json_schema') addText(tally, JSON.stringify(request.responseFormat.schema));
  return Math.ceil(tally.bytes / BYTES_PER_TOKEN) + tally.tokens;
}
