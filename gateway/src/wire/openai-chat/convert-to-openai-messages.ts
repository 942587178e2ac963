// Unified messages -> Chat Completions `messages` for one OpenAI-format dialect.

import { createHash } from 'node:crypto';
import type { ProviderName } from '@switchyard/compiler';
import { mediaSourceToUrl } from './data-url.js';
import type { OpenAIRequestMessage, OpenAITextContentPart, OpenAIToolCall, OpenAIUserContentPart } from './openai-chat-types.js';
import type { ContentPart, DocumentPart, ImagePart, TextPart, ToolResultPart, UnifiedMessage } from '../../unified/chat-request.js';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';
import type { OpenAIDialect } from './openai-dialect.js';

export function convertToOpenAIMessages(
  messages: UnifiedMessage[],
  dialect: OpenAIDialect,
  provider: ProviderName,
): OpenAIRequestMessage[] {
  const out: OpenAIRequestMessage[] = [];
  // Tool messages must directly follow the assistant message that called the tools, so images
  // returned by tools (which a `tool` message cannot carry) go in one user message after the run.
  let toolImages: OpenAIUserContentPart[] = [];
  const flushToolImages = (): void => {
    if (toolImages.length > 0) out.push({ role: 'user', content: toolImages });
    toolImages = [];
  };
  const toolCallId = (id: string): string => (dialect.toolCallIds === 'nine-alphanumeric' ? nineAlphanumericId(id) : id);

  for (const message of messages) {
    const toolResults = message.content.filter((p): p is ToolResultPart => p.type === 'tool_result');
    const rest = message.content.filter((p) => p.type !== 'tool_result');
    for (const result of toolResults) {
      const text = result.content
        .filter((p): p is TextPart => p.type === 'text')
        .map((p) => p.text)
        .join('\n');
      out.push({ role: 'tool', tool_call_id: toolCallId(result.toolCallId), content: text });
      const images = result.content.filter((p): p is ImagePart => p.type === 'image');
      if (images.length > 0) {
        toolImages.push({ type: 'text', text: `Images returned by tool call ${toolCallId(result.toolCallId)}:` });
        for (const image of images) toolImages.push(imagePart(image, dialect));
      }
    }
    if (message.role === 'tool' || (rest.length === 0 && toolResults.length > 0)) continue;
    flushToolImages();
    const name = dialect.messageNames && message.name !== undefined ? { name: message.name } : {};
    switch (message.role) {
      case 'system':
        out.push({ role: 'system', content: systemContent(rest, dialect), ...name });
        break;
      case 'user':
        out.push({ role: 'user', content: userContent(rest, dialect, provider), ...name });
        break;
      case 'assistant':
        out.push({ ...assistantMessage(rest, dialect, toolCallId), ...name });
        break;
    }
  }
  flushToolImages();
  return out;
}

function systemContent(parts: ContentPart[], dialect: OpenAIDialect): string | OpenAITextContentPart[] {
  const texts = parts.filter((p): p is TextPart => p.type === 'text');
  if (dialect.promptCacheBreakpoints && texts.some((p) => p.cacheControl)) return texts.map((p) => textPart(p, dialect));
  return texts.map((p) => p.text).join('\n\n');
}

function userContent(parts: ContentPart[], dialect: OpenAIDialect, provider: ProviderName): string | OpenAIUserContentPart[] {
  const converted: OpenAIUserContentPart[] = [];
  for (const part of parts) {
    if (part.type === 'text') converted.push(textPart(part, dialect));
    else if (part.type === 'image') converted.push(imagePart(part, dialect));
    else if (part.type === 'document') converted.push(documentPart(part, dialect, provider));
    // Reasoning and tool calls do not occur in user turns; nothing to send for them.
  }
  const onlyPlainText = converted.length === 1 && converted[0].type === 'text' && converted[0].prompt_cache_breakpoint === undefined;
  return onlyPlainText ? (converted[0] as OpenAITextContentPart).text : converted;
}

function assistantMessage(parts: ContentPart[], dialect: OpenAIDialect, toolCallId: (id: string) => string): OpenAIRequestMessage {
  let text = '';
  let reasoning = '';
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of parts) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else if (part.type === 'tool_call') {
      toolCalls.push({ id: toolCallId(part.id), type: 'function', function: { name: part.name, arguments: part.arguments } });
    }
  }
  const message: OpenAIRequestMessage = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (dialect.reasoningInHistory && reasoning !== '') message.reasoning_content = reasoning;
  return message;
}

function textPart(part: TextPart, dialect: OpenAIDialect): OpenAITextContentPart {
  const out: OpenAITextContentPart = { type: 'text', text: part.text };
  if (dialect.promptCacheBreakpoints && part.cacheControl) out.prompt_cache_breakpoint = { mode: 'explicit' };
  return out;
}

function imagePart(part: ImagePart, dialect: OpenAIDialect): OpenAIUserContentPart {
  const out: OpenAIUserContentPart = { type: 'image_url', image_url: { url: mediaSourceToUrl(part.source) } };
  if (part.detail) out.image_url.detail = part.detail;
  if (dialect.promptCacheBreakpoints && part.cacheControl) out.prompt_cache_breakpoint = { mode: 'explicit' };
  return out;
}

function documentPart(part: DocumentPart, dialect: OpenAIDialect, provider: ProviderName): OpenAIUserContentPart {
  const source = part.source;
  if (source.kind === 'text') return { type: 'text', text: part.title ? `${part.title}\n\n${source.text}` : source.text };
  // Plain-text documents can travel as text to any provider.
  if (source.kind === 'base64' && /^text\//.test(part.mediaType)) {
    const text = Buffer.from(source.data, 'base64').toString('utf8');
    return { type: 'text', text: part.title ? `${part.title}\n\n${text}` : text };
  }
  if (source.kind === 'url') throw new UnsupportedFeatureError('document input by URL', provider);
  if (!dialect.fileParts) throw new UnsupportedFeatureError(`document input (${part.mediaType})`, provider);
  const out: OpenAIUserContentPart = {
    type: 'file',
    file: { filename: part.filename ?? part.title ?? defaultFilename(part.mediaType), file_data: mediaSourceToUrl(source) },
  };
  if (dialect.promptCacheBreakpoints && part.cacheControl) out.prompt_cache_breakpoint = { mode: 'explicit' };
  return out;
}

function defaultFilename(mediaType: string): string {
  return mediaType === 'application/pdf' ? 'document.pdf' : 'document';
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Mistral accepts only tool-call ids of nine alphanumerics. Ids from other providers are mapped
 * deterministically, so an assistant tool call and the tool message answering it still match.
 */
function nineAlphanumericId(id: string): string {
  if (/^[A-Za-z0-9]{9}$/.test(id)) return id;
  const digest = createHash('sha256').update(id).digest();
  let out = '';
  for (let i = 0; i < 9; i++) out += ALPHANUMERIC[digest[i] % ALPHANUMERIC.length];
  return out;
}
