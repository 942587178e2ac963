// One Gemini `Part` -> what it means to the unified model. A part holds exactly one piece of
// data (text, inlineData, fileData, functionCall, functionResponse); `thought` and
// `thoughtSignature` sit beside it. Which unified message a part lands in is decided by
// decode-gemini-contents, which also gives function calls and responses their ids.
//
//  - inlineData / fileData with an image media type -> image; any other type -> document
//  - fileData without mimeType: the type its URI's extension implies; when none does, an image
//    URL (Gemini backends receive it back as fileData without a type, which is how Google takes
//    YouTube links)
//  - functionResponse.response -> the tool result's text, as JSON. `{error: X}` alone marks a
//    failed call (Google's documented key): the text is X and the result is an error.
//    functionResponse.parts (multimodal function responses) may carry images.

import { invalidRequest } from '../../errors/gateway-error.js';
import { mediaTypeFromUrl } from './convert-to-gemini-contents.js';
import { isRecord, type JsonRecord } from '@switchyard/compiler';
import type { DocumentPart, ImagePart, MediaSource, TextPart } from '../../unified/chat-request.js';
import { optionalBoolean, optionalString, requireNonEmptyString, requireRecord, requireString } from '../request-fields/index.js';

export type DecodedGeminiPart =
  | { kind: 'content'; part: TextPart | ImagePart | DocumentPart; signature?: string }
  | { kind: 'thought'; text: string; signature?: string }
  | { kind: 'function_call'; id: string | undefined; name: string; arguments: string; signature?: string }
  | { kind: 'function_response'; id: string | undefined; name: string; content: Array<TextPart | ImagePart>; isError: boolean };

const DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse'] as const;
// Data a Part may carry that has no unified meaning (the caller would get an answer without it).
const UNSUPPORTED_DATA_FIELDS = ['executableCode', 'codeExecutionResult', 'toolCall', 'toolResponse'] as const;

// Lenient base64: Google accepts the standard and the URL-safe alphabet, with or without padding.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export function decodeGeminiPart(value: unknown, path: string): DecodedGeminiPart {
  const part = requireRecord(value, path);
  const present = DATA_FIELDS.filter((field) => part[field] !== undefined && part[field] !== null);
  if (present.length === 0) {
    const unsupported = UNSUPPORTED_DATA_FIELDS.find((field) => part[field] !== undefined);
    if (unsupported !== undefined) {
      throw invalidRequest(
        `${path}.${unsupported} is not supported by the gateway; send text, inlineData, fileData, functionCall or functionResponse`,
        `${path}.${unsupported}`,
      );
    }
    if (part.thought === true || part.thoughtSignature !== undefined) return decodeThought(part, path);
    throw invalidRequest(`${path} must hold one of text, inlineData, fileData, functionCall or functionResponse`, path);
  }
  if (present.length > 1) {
    throw invalidRequest(`${path} holds ${present.join(' and ')}; a part holds exactly one of them`, path);
  }
  const signature = optionalString(part.thoughtSignature, `${path}.thoughtSignature`);
  const thought = optionalBoolean(part.thought, `${path}.thought`) ?? false;
  const withSignature = <T extends DecodedGeminiPart>(decoded: T): T => (signature === undefined ? decoded : { ...decoded, signature });

  switch (present[0]) {
    case 'text': {
      const text = requireString(part.text, `${path}.text`);
      if (thought) return withSignature({ kind: 'thought', text });
      return withSignature({ kind: 'content', part: { type: 'text', text } });
    }
    case 'inlineData':
      rejectThought(thought, path, 'inlineData');
      return withSignature({ kind: 'content', part: decodeInlineData(part.inlineData, `${path}.inlineData`) });
    case 'fileData':
      rejectThought(thought, path, 'fileData');
      return withSignature({ kind: 'content', part: decodeFileData(part.fileData, `${path}.fileData`) });
    case 'functionCall':
      rejectThought(thought, path, 'functionCall');
      return withSignature(decodeFunctionCall(part.functionCall, `${path}.functionCall`));
    case 'functionResponse':
      rejectThought(thought, path, 'functionResponse');
      return decodeFunctionResponse(part.functionResponse, `${path}.functionResponse`);
    default:
      throw invalidRequest(`${path} must hold one of text, inlineData, fileData, functionCall or functionResponse`, path);
  }
}

function decodeThought(part: JsonRecord, path: string): DecodedGeminiPart {
  const signature = optionalString(part.thoughtSignature, `${path}.thoughtSignature`);
  return signature === undefined ? { kind: 'thought', text: '' } : { kind: 'thought', text: '', signature };
}

function rejectThought(thought: boolean, path: string, field: string): void {
  if (thought) throw invalidRequest(`${path}.thought: only text parts can be thoughts, not ${field}`, `${path}.thought`);
}

function decodeInlineData(value: unknown, path: string): ImagePart | DocumentPart {
  const blob = requireRecord(value, path);
  const mimeType = requireNonEmptyString(blob.mimeType, `${path}.mimeType`);
  const data = requireString(blob.data, `${path}.data`);
  if (data === '' || !BASE64.test(data)) throw invalidRequest(`${path}.data must be non-empty base64`, `${path}.data`);
  return mediaPart({ kind: 'base64', mediaType: mimeType, data }, mimeType);
}

function decodeFileData(value: unknown, path: string): ImagePart | DocumentPart {
  const file = requireRecord(value, path);
  const fileUri = requireNonEmptyString(file.fileUri, `${path}.fileUri`);
  const mimeType = optionalString(file.mimeType, `${path}.mimeType`) || mediaTypeFromUrl(fileUri);
  return mediaPart({ kind: 'url', url: fileUri }, mimeType);
}

function mediaPart(source: MediaSource, mediaType: string | undefined): ImagePart | DocumentPart {
  if (mediaType === undefined || mediaType.toLowerCase().startsWith('image/')) return { type: 'image', source };
  return { type: 'document', source, mediaType };
}

function decodeFunctionCall(value: unknown, path: string): DecodedGeminiPart {
  const call = requireRecord(value, path);
  const name = requireNonEmptyString(call.name, `${path}.name`);
  const args = call.args ?? {};
  if (!isRecord(args)) throw invalidRequest(`${path}.args must be an object`, `${path}.args`);
  return { kind: 'function_call', id: optionalId(call.id, `${path}.id`), name, arguments: JSON.stringify(args) };
}

function decodeFunctionResponse(value: unknown, path: string): DecodedGeminiPart {
  const reply = requireRecord(value, path);
  const name = requireNonEmptyString(reply.name, `${path}.name`);
  const response = reply.response ?? {};
  if (!isRecord(response)) throw invalidRequest(`${path}.response must be an object`, `${path}.response`);
  const keys = Object.keys(response);
  const isError = keys.length === 1 && keys[0] === 'error';
  const payload = isError ? response.error : response;
  const content: Array<TextPart | ImagePart> = [{ type: 'text', text: typeof payload === 'string' ? payload : JSON.stringify(payload) }];
  if (reply.parts !== undefined && reply.parts !== null) {
    if (!Array.isArray(reply.parts)) throw invalidRequest(`${path}.parts must be a list`, `${path}.parts`);
    reply.parts.forEach((item, i) => {
      content.push(decodeFunctionResponseMedia(item, `${path}.parts[${i}]`));
    });
  }
  return { kind: 'function_response', id: optionalId(reply.id, `${path}.id`), name, content, isError };
}

function decodeFunctionResponseMedia(value: unknown, path: string): ImagePart {
  const item = requireRecord(value, path);
  const media =
    item.inlineData !== undefined
      ? decodeInlineData(item.inlineData, `${path}.inlineData`)
      : item.fileData !== undefined
        ? decodeFileData(item.fileData, `${path}.fileData`)
        : undefined;
  if (media === undefined) throw invalidRequest(`${path} must hold inlineData or fileData`, path);
  if (media.type !== 'image') throw invalidRequest(`${path}: a function response can carry images only, not ${media.mediaType}`, path);
  return media;
}

function optionalId(value: unknown, path: string): string | undefined {
  const id = optionalString(value, path);
  return id === undefined || id === '' ? undefined : id;
}
