// Unified messages -> Gemini `systemInstruction` + `contents`.
//
//  - every `system` message (wherever it appears) is hoisted, in order, into systemInstruction
//  - user and tool messages become role `user`, assistant messages role `model`; consecutive
//    contents of one role are merged, since Gemini expects turns to alternate
//  - tool calls become `functionCall` parts with the arguments parsed (Gemini wants an object)
//  - tool results become `functionResponse` parts carrying the tool NAME (Gemini matches by
//    name, not id): `toolName`, else the name of the earlier call with that id. The `response`
//    object is the result text parsed when it is a JSON object, else `{content: "<text>"}`;
//    an error result is `{error: <that>}` (Google's documented key for failed calls). Images in
//    a tool result follow it as inlineData parts.
//  - reasoning: a part with text becomes a `thought: true` part; a reasoning part with only a
//    signature (how decoded Gemini responses carry a `thoughtSignature`) attaches the signature
//    to the next part of the same message, or to the previous one when it is last.
//  - Gemini 3 rejects a replayed function call without its signature. When a caller's history
//    lost it (OpenAI-format clients have nowhere to keep it) the first call of the turn gets
//    Google's documented `skip_thought_signature_validator` instead.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { ContentPart, DocumentPart, ImagePart, MediaSource, ToolResultPart, UnifiedMessage } from '../../unified/chat-request.js';
import type { GeminiContent, GeminiPart, GeminiRole } from './gemini-wire-types.js';
import { mediaTypeForExtension } from '../../common/media-types.js';

const SKIP_THOUGHT_SIGNATURE_VALIDATOR = 'skip_thought_signature_validator';

interface ConvertToGeminiContentsOptions {
  /** Give every replayed model turn with function calls a signature (Gemini 3 and later require one). */
  requireFunctionCallSignatures: boolean;
}

export interface GeminiPrompt {
  systemInstruction?: GeminiContent;
  contents: GeminiContent[];
}

export function convertToGeminiContents(messages: UnifiedMessage[], options: ConvertToGeminiContentsOptions): GeminiPrompt {
  const systemParts: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const toolNamesById = new Map<string, string>();

  const append = (role: GeminiRole, parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last !== undefined && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((message, index) => {
    const where = `messages[${index}]`;
    switch (message.role) {
      case 'system':
        systemParts.push(...convertSystemMessage(message, where));
        break;
      case 'assistant':
        append('model', convertAssistantMessage(message, where, toolNamesById));
        break;
      case 'user':
      case 'tool':
        append('user', convertUserMessage(message, where, toolNamesById));
        break;
      default:
        throw invalidRequest(`${where}.role ${JSON.stringify((message as { role: unknown }).role)} is not a known role`, `${where}.role`);
    }
  });

  if (options.requireFunctionCallSignatures) {
    for (const content of contents) {
      if (content.role !== 'model') continue;
      const firstCall = content.parts.find((part) => part.functionCall !== undefined);
      if (firstCall !== undefined && firstCall.thoughtSignature === undefined)
        firstCall.thoughtSignature = SKIP_THOUGHT_SIGNATURE_VALIDATOR;
    }
  }

  const prompt: GeminiPrompt = { contents };
  if (systemParts.length > 0) prompt.systemInstruction = { parts: systemParts };
  return prompt;
}

function convertSystemMessage(message: UnifiedMessage, where: string): GeminiPart[] {
  return message.content.flatMap((part, j): GeminiPart[] => {
    if (part.type !== 'text') {
      throw invalidRequest(
        `${where}.content[${j}]: a system message may hold only text for Gemini, not ${part.type}`,
        `${where}.content[${j}]`,
      );
    }
    return part.text === '' ? [] : [{ text: part.text }];
  });
}

function convertAssistantMessage(message: UnifiedMessage, where: string, toolNamesById: Map<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = [];
  let pendingSignature: string | undefined;
  const push = (part: GeminiPart): void => {
    if (pendingSignature !== undefined && part.thoughtSignature === undefined) part.thoughtSignature = pendingSignature;
    pendingSignature = undefined;
    parts.push(part);
  };

  message.content.forEach((part, j) => {
    const at = `${where}.content[${j}]`;
    switch (part.type) {
      case 'text':
        if (part.text !== '') push({ text: part.text });
        break;
      case 'reasoning':
        if (part.text !== '') {
          const thought: GeminiPart = { text: part.text, thought: true };
          if (part.signature !== undefined) thought.thoughtSignature = part.signature;
          push(thought);
        } else if (part.signature !== undefined) {
          pendingSignature = part.signature;
        }
        // Redacted reasoning (Anthropic) has no Gemini form and is left out.
        break;
      case 'tool_call':
        toolNamesById.set(part.id, part.name);
        push({ functionCall: { name: part.name, args: parseToolArguments(part.arguments, part.id, part.name, at) } });
        break;
      case 'image':
      case 'document':
        push(convertMedia(part, at));
        break;
      case 'tool_result':
        throw invalidRequest(`${at}: an assistant message cannot carry a tool result`, at);
    }
  });

  if (pendingSignature !== undefined) {
    const previous = [...parts].reverse().find((part) => part.thoughtSignature === undefined);
    if (previous !== undefined) previous.thoughtSignature = pendingSignature;
  }
  return parts;
}

function convertUserMessage(message: UnifiedMessage, where: string, toolNamesById: Map<string, string>): GeminiPart[] {
  const responses: GeminiPart[] = [];
  const others: GeminiPart[] = [];
  message.content.forEach((part: ContentPart, j) => {
    const at = `${where}.content[${j}]`;
    switch (part.type) {
      case 'text':
        if (part.text !== '') others.push({ text: part.text });
        break;
      case 'image':
      case 'document':
        others.push(convertMedia(part, at));
        break;
      case 'tool_result':
        responses.push(...convertToolResult(part, at, toolNamesById));
        break;
      case 'tool_call':
        throw invalidRequest(`${at}: only assistant messages can carry tool calls`, at);
      case 'reasoning':
        throw invalidRequest(`${at}: only assistant messages can carry reasoning`, at);
    }
  });
  // Function responses lead the turn so they sit right after the calls they answer.
  return [...responses, ...others];
}

function convertToolResult(part: ToolResultPart, at: string, toolNamesById: Map<string, string>): GeminiPart[] {
  const name = part.toolName ?? toolNamesById.get(part.toolCallId);
  if (name === undefined) {
    throw invalidRequest(
      `${at}: the tool result for call ${JSON.stringify(part.toolCallId)} names no tool and no earlier assistant message has a call with that id; Gemini needs the tool name`,
      at,
    );
  }
  const text = part.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  const output = parseJsonObject(text) ?? { content: text };
  const response = part.isError === true ? { error: output } : output;
  const images = part.content
    .filter((c): c is ImagePart => c.type === 'image')
    .map((image, k) => convertMedia(image, `${at}.content[${k}]`));
  return [{ functionResponse: { name, response } }, ...images];
}

function convertMedia(part: ImagePart | DocumentPart, at: string): GeminiPart {
  const source = part.source;
  if (source.kind === 'text')
    return { text: part.type === 'document' && part.title !== undefined ? `${part.title}\n\n${source.text}` : source.text };
  const declaredType = part.type === 'document' ? part.mediaType : undefined;
  return convertMediaSource(source, declaredType, at);
}

function convertMediaSource(source: MediaSource, declaredType: string | undefined, at: string): GeminiPart {
  if (source.kind === 'base64') {
    if (source.data === '') throw invalidRequest(`${at}: the inline file is empty`, at);
    return { inlineData: { mimeType: declaredType ?? source.mediaType, data: source.data } };
  }
  const dataUrl = /^data:([^;,]+)?((?:;[^;,]*)*?);base64,(.*)$/s.exec(source.url);
  if (dataUrl !== null) {
    const mimeType = declaredType ?? dataUrl[1];
    if (mimeType === undefined) throw invalidRequest(`${at}: the data URL names no media type`, at);
    return { inlineData: { mimeType, data: dataUrl[3] ?? '' } };
  }
  if (source.url.startsWith('data:')) throw invalidRequest(`${at}: only base64 data URLs are supported`, at);
  // Gemini fetches the URI itself (Files API URIs, YouTube, public https on current models).
  const mimeType = declaredType ?? mediaTypeFromUrl(source.url);
  return { fileData: mimeType === undefined ? { fileUri: source.url } : { mimeType, fileUri: source.url } };
}

const GEMINI_FILE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'image/heic',
  'image/heif',
  'application/pdf',
  'audio/mp3',
  'audio/wav',
  'video/mp4',
  'text/plain',
]);

/** The media type a file URL's extension implies, if it is one Gemini takes. */
export function mediaTypeFromUrl(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const extension = /\.([A-Za-z0-9]+)$/.exec(pathname)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : mediaTypeForExtension(extension, GEMINI_FILE_MEDIA_TYPES);
}

function parseToolArguments(text: string, id: string, name: string, at: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidRequest(
      `${at}: the arguments of tool call ${JSON.stringify(id)} (${name}) are not valid JSON: ${(error as Error).message}`,
      at,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest(`${at}: the arguments of tool call ${JSON.stringify(id)} (${name}) must be a JSON object`, at);
  }
  return parsed as Record<string, unknown>;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
