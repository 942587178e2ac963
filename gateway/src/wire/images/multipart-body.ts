// A multipart/form-data body built synchronously (encoders are synchronous; `FormData` only
// serializes through an async Response). The boundary is random per body, so no part's bytes can
// contain it by accident with any real chance, and is checked against the file parts anyway.

import { randomBytes } from 'node:crypto';

export interface MultipartPart {
  name: string;
  value: string | { filename: string; contentType: string; data: Uint8Array };
}

export interface MultipartBody {
  contentType: string;
  body: Uint8Array;
}

/** Quotes a header parameter: `"` and line breaks cannot appear inside one. */
function quoted(value: string): string {
  return `"${value.replace(/["\r\n\\]/g, '_')}"`;
}

export function encodeMultipart(parts: readonly MultipartPart[]): MultipartBody {
  let boundary = `----switchyard${randomBytes(12).toString('hex')}`;
  const marker = Buffer.from(boundary);
  while (parts.some((part) => typeof part.value !== 'string' && Buffer.from(part.value.data).includes(marker)))
    boundary = `----switchyard${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if (typeof part.value === 'string') {
      chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name=${quoted(part.name)}\r\n\r\n${part.value}\r\n`));
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name=${quoted(part.name)}; filename=${quoted(part.value.filename)}\r\ncontent-type: ${part.value.contentType}\r\n\r\n`,
        ),
        Buffer.from(part.value.data),
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: new Uint8Array(Buffer.concat(chunks)) };
}
