// `data:` URLs carry inline media in OpenAI requests (image_url.url, file.file_data); the unified
// model keeps media as base64 plus a media type, so both directions go through here.

import type { MediaSource } from '../../unified/chat-request.js';

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s;

/** Returns the media type and base64 payload of a base64 `data:` URL, or undefined if it is not one. */
export function parseBase64DataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith('data:')) return undefined;
  const match = DATA_URL.exec(url);
  if (!match) return undefined;
  const mediaType = match[1] === '' ? 'application/octet-stream' : match[1].toLowerCase();
  return { mediaType, data: match[3] };
}

function toDataUrl(mediaType: string, base64: string): string {
  return `data:${mediaType};base64,${base64}`;
}

/** A URL usable in an OpenAI `image_url` or `file_data` field for a unified media source. */
export function mediaSourceToUrl(source: MediaSource): string {
  return source.kind === 'url' ? source.url : toDataUrl(source.mediaType, source.data);
}
