// Audio requests and answers: speech to text (transcriptions, translations into English) and
// text to speech. The OpenAI shape is the unified one: OpenAI, Azure OpenAI and the compatible
// servers take it as it is, so fields the gateway does not read are carried through untouched;
// `wire/audio/` reads the caller's side and writes each upstream's.

/** The endpoint a request came in on; also what tells an audio request from the other kinds. */
export type AudioEndpoint = 'transcriptions' | 'translations' | 'speech';

/** The answer formats OpenAI documents for transcriptions and translations. */
export type TranscriptionFormat = 'json' | 'text' | 'srt' | 'verbose_json' | 'vtt' | 'diarized_json';

interface AudioUpload {
  /** The file's bytes, at most the upload limit (--max-audio-upload-bytes). */
  bytes: Uint8Array;
  filename: string;
  contentType: string;
}

/** POST /v1/audio/transcriptions and /v1/audio/translations (multipart/form-data). */
export interface UnifiedTranscriptionRequest {
  audio: 'transcriptions' | 'translations';
  model: string;
  file: AudioUpload;
  /** Every other form field, in the caller's order, sent on as it came (`model` excluded: the backend's is sent). */
  fields: Array<[string, string]>;
  responseFormat: TranscriptionFormat;
  /** `stream=true`: server-sent `transcript.text.delta` / `transcript.text.done` events. */
  stream: boolean;
  /** The most seconds of audio the upload can hold (its size at the lowest bitrate the gateway assumes). */
  durationBoundSeconds: number;
}

/** POST /v1/audio/speech (JSON in, audio bytes or server-sent events out). */
export interface UnifiedSpeechRequest {
  audio: 'speech';
  model: string;
  /** The text to speak; billed per character by tts-1 and tts-1-hd. */
  input: string;
  /** `mp3` when the caller names none (OpenAI's default). */
  responseFormat: string;
  /** `sse`: `speech.audio.delta` / `speech.audio.done` events instead of raw audio. */
  streamFormat: 'audio' | 'sse';
  /** The caller's whole body; sent on with the backend's model. */
  body: Record<string, unknown>;
}

export type UnifiedAudioRequest = UnifiedTranscriptionRequest | UnifiedSpeechRequest;

/** How a model's audio use is billed (the price catalog's unit for it). */
export type AudioBillingUnit = 'second' | 'character' | 'token';

/** What an answer used, in its model's billing unit. */
export interface AudioUsage {
  unit: AudioBillingUnit;
  /** Seconds of audio, characters of input, or input tokens (audio and text). */
  input: number;
  /** Output tokens (token-billed models); 0 for the others. */
  output: number;
  /** The gateway's estimate: the upstream reported none. */
  estimated: boolean;
}

/** An upstream audio answer: whole (JSON, text, subtitles), or a body streamed through as it arrives. */
export type UnifiedAudioAnswer =
  | { kind: 'whole'; contentType: string; body: Buffer; usage: AudioUsage }
  | {
      kind: 'stream';
      contentType: string;
      /** The upstream's bytes, in order; throws when the upstream fails mid-way. */
      chunks: AsyncIterator<Uint8Array>;
      /** Stops the upstream when the caller goes away. */
      close(): void;
      /** Known once the stream has ended (from a `done` event, or estimated). */
      usage(): AudioUsage;
    };

export function isAudioRequest(request: object): request is UnifiedAudioRequest {
  return 'audio' in request;
}
