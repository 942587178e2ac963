// A `file_data` field (Chat Completions `file.file_data`, Responses `input_file.file_data`):
// base64 data or a base64 data URL. Bare base64 carries no media type, so the file name tells it.
import { invalidRequest } from '../../errors/gateway-error.js';
import { mediaTypeForExtension } from '../../common/media-types.js';
import { parseBase64DataUrl } from './data-url.js';

const OPENAI_FILE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'text/plain',
  'text/markdown',
  'text/csv',
  'text/html',
  'application/json',
]);

/** `param` is the field's full path, for the 400. */
export function decodeOpenAIFileData(fileData: string, filename: string | undefined, param: string): { mediaType: string; data: string } {
  const parsed = parseBase64DataUrl(fileData);
  let mediaType: string;
  let data: string;
  if (parsed) {
    ({ mediaType, data } = parsed);
  } else if (fileData.startsWith('data:')) {
    throw invalidRequest(`'${param}' must be base64 data or a base64 data URL`, param);
  } else {
    data = fileData;
    mediaType = openAIFileMediaType(filename);
  }
  if (!/^[A-Za-z0-9+/=\r\n]*$/.test(data)) throw invalidRequest(`'${param}' is not valid base64`, param);
  return { mediaType, data };
}

/** OpenAI's file input is PDF-first, so a name without a known extension means PDF. */
function openAIFileMediaType(filename: string | undefined): string {
  const extension = filename?.toLowerCase().split('.').pop() ?? '';
  return mediaTypeForExtension(extension, OPENAI_FILE_MEDIA_TYPES) ?? 'application/pdf';
}
