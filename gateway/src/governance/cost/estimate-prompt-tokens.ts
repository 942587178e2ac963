// A cheap upper bound on prompt tokens, for reservations: byte-level BPE tokenizers (OpenAI,
// Anthropic, Llama, Gemini's SentencePiece with byte fallback) never emit more tokens than the
// UTF-8 bytes they encode, so the byte count of every text the provider will tokenize bounds the
// text tokens. Structure (roles, message separators, tool wrappers) adds a few tokens per message.
// Media cannot be measured without decoding it: images count as a fixed amount above what any
// provider charges for one image, documents by their decoded size. Settlement replaces the
// estimate with the provider's count, so over-estimating only holds room a little longer.
import type { ContentPart, UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { UnifiedRerankRequest } from '../../unified/rerank.js';
import { isImageRequest, type UnifiedImageRequest } from '../../unified/images.js';
import type { UnifiedAudioRequest } from '../../unified/audio.js';

/** Per message: role and separator tokens (OpenAI documents 3-4; Anthropic and Gemini fewer). */
export const TOKENS_PER_MESSAGE = 8;
/** Priming and framing around the whole prompt. */
export const TOKENS_PER_REQUEST = 16;
/** Above the largest per-image charge of the supported providers (Anthropic ~1,600, OpenAI high detail ~1,100-2,500). */
export const TOKENS_PER_IMAGE = 3_000;
/** A document fetched by URL: its size is unknown at admission. */
const TOKENS_PER_REMOTE_DOCUMENT = 50_000;

/**
 * How one way of counting measures text; everything else about a prompt (which parts count,
 * images, documents, tools) is walked the same way for every counter, so the Strict bound and
 * the Tokenized count (tokenized-prompt-tokens.ts) can never disagree about what the upstream
 * reads as prompt.
 */
export interface PromptMeasure {
  text(text: string): number;
  /** Role and separator tokens around each message, tool call, tool result and tool definition. */
  readonly perMessage: number;
  /** Priming and framing around the whole prompt. */
  readonly perRequest: number;
  /** Framing around each embeddings input. */
  readonly perInput: number;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The byte bound (Budget `reservation: Strict`, and routing's prompt size). */
const STRICT_MEASURE: PromptMeasure = {
  text: utf8Bytes,
  perMessage: TOKENS_PER_MESSAGE,
  perRequest: TOKENS_PER_REQUEST,
  perInput: 2,
};

function base64DecodedBytes(data: string): number {
  return Math.floor((data.length * 3) / 4);
}

function partTokens(part: ContentPart, measure: PromptMeasure): number {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return measure.text(part.text);
    case 'tool_call':
      return measure.text(part.name) + measure.text(part.arguments) + measure.perMessage;
    case 'tool_result': {
      let total = measure.perMessage;
      for (const inner of part.content) total += partTokens(inner, measure);
      return total;
    }
    case 'image':
      return TOKENS_PER_IMAGE;
    case 'document':
      if (part.source.kind === 'text') return measure.text(part.source.text);
      // A PDF's text is inside its encoding: only its size bounds it, whatever the counter.
      if (part.source.kind === 'base64') return base64DecodedBytes(part.source.data);
      return TOKENS_PER_REMOTE_DOCUMENT;
  }
}

export function measureChatPrompt(request: UnifiedChatRequest, measure: PromptMeasure): number {
  let total = measure.perRequest;
  for (const message of request.messages) {
    total += measure.perMessage;
    for (const part of message.content) total += partTokens(part, measure);
  }
  if (request.tools !== undefined) {
    for (const tool of request.tools) {
      total +=
        measure.perMessage + measure.text(tool.name) + measure.text(tool.description ?? '') + measure.text(JSON.stringify(tool.parameters));
    }
  }
  if (request.responseFormat?.type === 'json_schema') total += measure.text(JSON.stringify(request.responseFormat.schema));
  return total;
}

export function measureEmbeddingsInput(request: UnifiedEmbeddingsRequest, measure: PromptMeasure): number {
  let total = 0;
  for (const input of request.input) total += measure.text(input) + measure.perInput;
  return total;
}

export function estimateChatPromptTokens(request: UnifiedChatRequest): number {
  return measureChatPrompt(request, STRICT_MEASURE);
}

export function estimateEmbeddingsInputTokens(request: UnifiedEmbeddingsRequest): number {
  return measureEmbeddingsInput(request, STRICT_MEASURE);
}

export function isEmbeddingsRequest(request: UnifiedChatRequest | UnifiedEmbeddingsRequest): request is UnifiedEmbeddingsRequest {
  return Array.isArray((request as UnifiedEmbeddingsRequest).input);
}

/** Per query-document pair of a rerank: the separators a cross-encoder puts around and between them. */
const TOKENS_PER_RERANK_PAIR = 4;

/**
 * A reranker reads the query once per document (cross-encoders score each query-document pair;
 * Cohere splits long documents into chunks that each repeat the query), so the bound is every
 * pair's bytes. `max_tokens_per_doc` caps a document's share where the upstream truncates.
 */
export function estimateRerankInputTokens(request: UnifiedRerankRequest): number {
  const query = utf8Bytes(request.query);
  let total = 0;
  for (const document of request.documents) {
    const bytes = utf8Bytes(document);
    total += query + TOKENS_PER_RERANK_PAIR + (request.maxTokensPerDoc === undefined ? bytes : Math.min(bytes, request.maxTokensPerDoc));
  }
  return total;
}

/** The input estimate of a request that generates no text (embeddings, rerank; an image request's prompt). */
export function estimateInputOnlyTokens(request: UnifiedEmbeddingsRequest | UnifiedRerankRequest | UnifiedImageRequest): number {
  if (isImageRequest(request)) return utf8Bytes(request.prompt);
  return 'documents' in request ? estimateRerankInputTokens(request) : estimateEmbeddingsInputTokens(request);
}

/** Chat generates output; embeddings and rerank only read their input. */
export function isChatRequest(
  request: UnifiedChatRequest | UnifiedEmbeddingsRequest | UnifiedRerankRequest | UnifiedImageRequest | UnifiedAudioRequest,
): request is UnifiedChatRequest {
  return Array.isArray((request as UnifiedChatRequest).messages);
}
