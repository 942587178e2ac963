// Images and documents: Converse takes only inline bytes (base64 in JSON), never URLs.

import type { DocumentPart, ImagePart, MediaSource } from '../../unified/chat-request.js';
import type { ConverseDocumentBlock, ConverseDocumentFormat, ConverseImageBlock, ConverseImageFormat } from './converse-types.js';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';

const IMAGE_FORMATS: Record<string, ConverseImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

const DOCUMENT_FORMATS: Record<string, ConverseDocumentFormat> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};

interface InlineMedia {
  mediaType: string;
  base64: string;
}

/** A `data:` URL is inline media in disguise; any other URL cannot be sent to Converse. */
function inlineMedia(source: MediaSource, where: string, what: string): InlineMedia {
  if (source.kind === 'base64') return { mediaType: source.mediaType.toLowerCase(), base64: source.data };
  const data = /^data:([^;,]+)?((?:;[^;,]*)*?)(;base64)?,(.*)$/is.exec(source.url);
  if (data) {
    const mediaType = (data[1] ?? 'text/plain').toLowerCase();
    const payload = data[4] ?? '';
    const base64 = data[3] ? payload : Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64');
    return { mediaType, base64 };
  }
  throw new UnsupportedFeatureError(
    `${what} by URL (${where}); Bedrock Converse needs the bytes inline, send base64 data instead`,
    'bedrock',
  );
}

export function convertImageToBedrock(part: ImagePart, where: string): ConverseImageBlock {
  const media = inlineMedia(part.source, where, 'an image');
  const format = IMAGE_FORMATS[media.mediaType];
  if (!format)
    throw new UnsupportedFeatureError(`image type ${media.mediaType} (${where}); Bedrock takes png, jpeg, gif and webp`, 'bedrock');
  return { image: { format, source: { bytes: media.base64 } } };
}

/** Converse document names: letters, digits, whitespace (no runs), hyphens, parentheses, square brackets. */
function bedrockDocumentName(name: string): string {
  const cleaned = name
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/[^A-Za-z0-9\s\-()[\]]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.slice(0, 200) || 'document';
}

export function convertDocumentToBedrock(part: DocumentPart, where: string, fallbackName: string): ConverseDocumentBlock {
  const name = bedrockDocumentName(part.title ?? part.filename ?? fallbackName);
  if (part.source.kind === 'text') {
    return {
      document: {
        format: DOCUMENT_FORMATS[part.mediaType.toLowerCase()] ?? 'txt',
        name,
        source: { bytes: Buffer.from(part.source.text, 'utf8').toString('base64') },
      },
    };
  }
  const media = inlineMedia(part.source, where, 'a document');
  const mediaType = part.mediaType ? part.mediaType.toLowerCase() : media.mediaType;
  const format = DOCUMENT_FORMATS[mediaType] ?? DOCUMENT_FORMATS[media.mediaType];
  if (!format)
    throw new UnsupportedFeatureError(
      `document type ${mediaType} (${where}); Bedrock takes pdf, csv, doc, docx, xls, xlsx, html, txt and md`,
      'bedrock',
    );
  return { document: { format, name, source: { bytes: media.base64 } } };
}
