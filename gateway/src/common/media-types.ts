// File extension -> media type, one table for every wire codec that has to guess a media type
// from a file name or URL. Each wire API accepts only some of these, so a lookup names the
// media types its caller can send.

const MEDIA_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  json: 'application/json',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  html: 'text/html',
};

/** The media type of a (lower- or upper-case) file extension, if it is one of `accepted`. */
export function mediaTypeForExtension(extension: string, accepted: ReadonlySet<string>): string | undefined {
  const mediaType = MEDIA_TYPES_BY_EXTENSION[extension.toLowerCase()];
  return mediaType !== undefined && accepted.has(mediaType) ? mediaType : undefined;
}
