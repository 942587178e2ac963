// The caller's multipart/form-data upload, read whole but never past the upload limit, then
// parsed by the platform's own multipart parser (the fetch `Request.formData()`), so the
// gateway carries no multipart parser of its own. The raw body is let go once parsed.
import type { IncomingMessage } from 'node:http';
import { GatewayError, invalidRequest } from '../../errors/gateway-error.js';

function uploadTooLarge(maxBytes: number): GatewayError {
  return new GatewayError('payload_too_large', `audio upload exceeds the ${maxBytes}-byte limit (--max-audio-upload-bytes)`);
}

/** Refuses an upload whose declared length is over the limit before a byte of it is read. */
export function checkDeclaredUploadLength(req: IncomingMessage, maxBytes: number): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw uploadTooLarge(maxBytes);
}

function readBounded(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const finish = (error: GatewayError | undefined): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (error !== undefined) {
        // Past the limit nothing more is kept; node:http discards the rest once the 413 is sent.
        chunks.length = 0;
        reject(error);
      } else resolve(Buffer.concat(chunks, received));
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) finish(uploadTooLarge(maxBytes));
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish(undefined));
    req.once('error', () => finish(invalidRequest('request body could not be read')));
    req.once('close', () => finish(invalidRequest('request body was cut short')));
  });
}

/** The parsed form: every field, files included, in the caller's order. */
export async function readMultipartForm(req: IncomingMessage, maxBytes: number): Promise<FormData> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;.*boundary=/i.test(contentType))
    throw invalidRequest(`audio uploads are multipart/form-data with a boundary; got content-type "${contentType.slice(0, 100)}"`);
  const body = await readBounded(req, maxBytes);
  try {
    return await new Request('http://gateway.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch (error) {
    throw invalidRequest(`the multipart body could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
