// The caller's audio requests, checked field by field: every refusal names the field.
import { invalidRequest } from '../../errors/gateway-error.js';
import { reflected } from '../../errors/reflected-input.js';
import type { TranscriptionFormat, UnifiedSpeechRequest, UnifiedTranscriptionRequest } from '../../unified/audio.js';

const TRANSCRIPTION_FORMATS: ReadonlySet<string> = new Set(['json', 'text', 'srt', 'verbose_json', 'vtt', 'diarized_json']);

/**
 * The lowest bitrate assumed for an upload when bounding its duration: 16 kbit/s, below speech
 * codecs' usual rates (Opus voice 24-32 kbit/s, MP3 64-128 kbit/s), so the bound is never short
 * and a budget reservation made on it covers the real bill. Settlement uses the real duration.
 */
const AUDIO_BYTES_PER_SECOND_FLOOR = 2000;

function stringField(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`\`${name}\` must be a text field, not a file`, name);
  return value;
}

/** Reads the file part's bytes out of the form: after this the form can go, leaving one copy of the audio. */
export async function decodeTranscriptionRequest(
  form: FormData,
  endpoint: 'transcriptions' | 'translations',
): Promise<UnifiedTranscriptionRequest> {
  const model = stringField(form, 'model');
  if (model === undefined || model.trim() === '') throw invalidRequest('`model` is required (a form field naming the model)', 'model');
  const file = form.get('file');
  if (file === null) throw invalidRequest('`file` is required (the audio, as a file part)', 'file');
  if (typeof file === 'string') throw invalidRequest('`file` must be a file part with a filename, not a text field', 'file');
  if (file.size === 0) throw invalidRequest('`file` is empty', 'file');
  const responseFormat = stringField(form, 'response_format') ?? 'json';
  if (!TRANSCRIPTION_FORMATS.has(responseFormat))
    throw invalidRequest(
      `\`response_format\` must be one of ${[...TRANSCRIPTION_FORMATS].join(', ')}; got "${reflected(responseFormat)}"`,
      'response_format',
    );
  const streamText = stringField(form, 'stream');
  if (streamText !== undefined && streamText !== 'true' && streamText !== 'false')
    throw invalidRequest(`\`stream\` must be true or false; got "${reflected(streamText)}"`, 'stream');
  const stream = streamText === 'true';
  if (stream && endpoint === 'translations') throw invalidRequest('`stream` is not available on translations', 'stream');
  const fields: Array<[string, string]> = [];
  for (const [name, value] of form.entries()) {
    if (name === 'model' || name === 'file') continue;
    if (typeof value !== 'string') throw invalidRequest(`\`${reflected(name)}\` must be a text field; only \`file\` is a file`, name);
    fields.push([name, value]);
  }
  return {
    audio: endpoint,
    model,
    file: {
      bytes: new Uint8Array(await file.arrayBuffer()),
      filename: file.name || 'audio',
      contentType: file.type || 'application/octet-stream',
    },
    fields,
    responseFormat: responseFormat as TranscriptionFormat,
    stream,
    durationBoundSeconds: Math.max(1, Math.ceil(file.size / AUDIO_BYTES_PER_SECOND_FLOOR)),
  };
}

const STREAM_FORMATS: ReadonlySet<string> = new Set(['audio', 'sse']);

export function decodeSpeechRequest(body: Record<string, unknown>): UnifiedSpeechRequest {
  const { model, input, voice } = body;
  if (typeof model !== 'string' || model.trim() === '') throw invalidRequest('`model` is required (a string)', 'model');
  if (typeof input !== 'string' || input.length === 0) throw invalidRequest('`input` is required (the text to speak)', 'input');
  if (voice === undefined || voice === null) throw invalidRequest('`voice` is required', 'voice');
  const responseFormat = body.response_format ?? 'mp3';
  if (typeof responseFormat !== 'string') throw invalidRequest('`response_format` must be a string', 'response_format');
  const streamFormat = body.stream_format ?? 'audio';
  if (typeof streamFormat !== 'string' || !STREAM_FORMATS.has(streamFormat))
    throw invalidRequest('`stream_format` must be "audio" or "sse"', 'stream_format');
  return { audio: 'speech', model, input, responseFormat, streamFormat: streamFormat as 'audio' | 'sse', body };
}
