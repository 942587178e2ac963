// The upstream side of the OpenAI audio API (OpenAI, Azure OpenAI, compatible servers): the
// caller's form re-encoded as multipart/form-data with the backend's model, and the speech
// body with the backend's model. Re-encoding (rather than forwarding the caller's bytes) means
// only the fields the gateway has checked go upstream, under a boundary of its own.
import { randomBytes } from 'node:crypto';
import type { UnifiedSpeechRequest, UnifiedTranscriptionRequest } from '../../unified/audio.js';

/** Quotes a form-data name or filename as browsers do (RFC 7578 4.2): quotes and line breaks escaped. */
function quoted(value: string): string {
  return `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

export interface EncodedMultipart {
  contentType: string;
  body: Uint8Array;
}

/** `model` undefined: the URL names the deployment (Azure), so no model field is sent. */
export function encodeTranscriptionMultipart(request: UnifiedTranscriptionRequest, model: string | undefined): EncodedMultipart {
  const boundary = `switchyard-${randomBytes(12).toString('hex')}`;
  let head = '';
  const field = (name: string, value: string): void => {
    head += `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`;
  };
  if (model !== undefined) field('model', model);
  for (const [name, value] of request.fields) field(name, value);
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=${quoted(request.file.filename)}\r\n` +
    `Content-Type: ${request.file.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head, 'utf8'), request.file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

export function encodeSpeechBody(request: UnifiedSpeechRequest, model: string | undefined): string {
  const body: Record<string, unknown> = { ...request.body };
  if (model === undefined) delete body.model;
  else body.model = model;
  return JSON.stringify(body);
}
