// multipart/form-data (RFC 7578) as /v1/files receives it: text fields and one file part, read
// from a body already bounded in size. Only what an upload needs: no nested multiparts, no
// transfer encodings (RFC 7578 section 4.7 deprecates them).
import { invalidRequest } from '../../errors/gateway-error.js';

interface MultipartFile {
  filename: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: Map<string, string>;
  files: Map<string, MultipartFile>;
}

function boundaryOf(contentType: string | undefined): string {
  const match =
    contentType === undefined ? null : /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) throw invalidRequest('expected a multipart/form-data body with a boundary (content-type)');
  return boundary;
}

export function parseMultipartForm(body: Buffer, contentType: string | undefined): MultipartForm {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const form: MultipartForm = { fields: new Map(), files: new Map() };
  let at = body.indexOf(delimiter);
  if (at < 0) throw invalidRequest('multipart body has no part with the declared boundary');
  for (;;) {
    at += delimiter.length;
    // `--` after a delimiter closes the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return form;
    if (body[at] === 0x0d && body[at + 1] === 0x0a) at += 2;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) throw invalidRequest('multipart part without a header block');
    const headers = body.subarray(at, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw invalidRequest('multipart body is not closed by its boundary');
    addPart(form, headers, body.subarray(headerEnd + 4, next));
    at = next + 2;
  }
}

function addPart(form: MultipartForm, headers: string, data: Buffer): void {
  const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1];
  if (disposition === undefined) throw invalidRequest('multipart part without Content-Disposition: form-data');
  const name = parameter(disposition, 'name');
  if (name === undefined) throw invalidRequest('multipart part without a name');
  const filename = parameter(disposition, 'filename');
  if (filename === undefined) form.fields.set(name, data.toString('utf8'));
  else form.files.set(name, { filename, data });
}

function parameter(disposition: string, name: string): string | undefined {
  const match =
    new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(disposition) ??
    new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(disposition);
  return match?.[1]?.replace(/\\(.)/g, '$1');
}
