// Speech to text on Gemini (AI Studio and Vertex AI): a generateContent call with the audio as
// inline data and an instruction to transcribe it (or to translate it into English), answered in
// OpenAI's `json` or `text` shape with Gemini's token counts as `usage`. What does not map is
// refused with a 400 naming it: speech (Gemini's TTS answers raw PCM through generateContent,
// not the encoded formats OpenAI callers ask for), `stream`, and the formats and fields that
// need timestamps or log-probabilities Gemini does not give (srt, vtt, verbose_json,
// diarized_json, timestamp_granularities, include).
import type { ProviderName } from '@switchyard/compiler';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';
import type { AudioUsage, UnifiedAudioRequest, UnifiedTranscriptionRequest } from '../../unified/audio.js';
import { decodeGeminiGenerateContentResponse } from '../gemini/index.js';

/** The audio types Gemini takes inline, by the extensions OpenAI's endpoint accepts. */
const GEMINI_AUDIO_TYPES: Readonly<Record<string, string>> = {
  mp3: 'audio/mp3',
  mpga: 'audio/mp3',
  mpeg: 'audio/mp3',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  aac: 'audio/aac',
  aiff: 'audio/aiff',
};

/** Form fields that map onto the instruction or the generation config; any other is refused. */
const MAPPED_FIELDS: ReadonlySet<string> = new Set(['response_format', 'language', 'prompt', 'temperature', 'stream']);

function audioMimeType(request: UnifiedTranscriptionRequest, provider: ProviderName): string {
  const declared = request.file.contentType.toLowerCase();
  if (declared === 'audio/mpeg') return 'audio/mp3';
  if (Object.values(GEMINI_AUDIO_TYPES).includes(declared)) return declared;
  const extension = /\.([a-z0-9]+)$/i.exec(request.file.filename)?.[1]?.toLowerCase();
  const byName = extension === undefined ? undefined : GEMINI_AUDIO_TYPES[extension];
  if (byName !== undefined) return byName;
  throw new UnsupportedFeatureError(
    `audio of type ${declared || 'unknown'} (file ${request.file.filename}; Gemini takes mp3, wav, ogg, flac, aac, aiff)`,
    provider,
  );
}

function instruction(request: UnifiedTranscriptionRequest): string {
  const field = (name: string): string | undefined => request.fields.find(([n]) => n === name)?.[1];
  const lines =
    request.audio === 'translations'
      ? ['Translate the speech in this audio into English.', 'Answer with the English translation only, with no preamble.']
      : ['Transcribe the speech in this audio verbatim.', 'Answer with the transcript only, with no preamble.'];
  const language = field('language');
  if (language !== undefined && request.audio === 'transcriptions')
    lines.push(`The speech is in the language with ISO-639-1 code "${language}".`);
  const prompt = field('prompt');
  if (prompt !== undefined) lines.push(`Earlier context, for spelling and style: ${prompt}`);
  return lines.join('\n');
}

export function encodeGeminiTranscriptionRequest(request: UnifiedAudioRequest, provider: ProviderName): Record<string, unknown> {
  if (request.audio === 'speech') throw new UnsupportedFeatureError('audio speech (/v1/audio/speech)', provider);
  if (request.stream) throw new UnsupportedFeatureError(`streamed audio ${request.audio} (stream=true)`, provider);
  if (request.responseFormat !== 'json' && request.responseFormat !== 'text')
    throw new UnsupportedFeatureError(
      `audio ${request.audio} with response_format ${request.responseFormat} (Gemini gives no timestamps; json and text map)`,
      provider,
    );
  for (const [name] of request.fields)
    if (!MAPPED_FIELDS.has(name)) throw new UnsupportedFeatureError(`audio ${request.audio} with the field ${name}`, provider);
  const temperature = request.fields.find(([n]) => n === 'temperature')?.[1];
  const parts = [
    { text: instruction(request) },
    { inlineData: { mimeType: audioMimeType(request, provider), data: Buffer.from(request.file.bytes).toString('base64') } },
  ];
  return {
    contents: [{ role: 'user', parts }],
    ...(temperature === undefined || Number.isNaN(Number(temperature)) ? {} : { generationConfig: { temperature: Number(temperature) } }),
  };
}

/** The answer in OpenAI's shape: `{text, usage}` for json, the bare text for text. */
export function decodeGeminiTranscriptionResponse(
  body: unknown,
  request: UnifiedAudioRequest,
  model: string,
): { contentType: string; body: string; usage: AudioUsage | undefined } {
  const response = decodeGeminiGenerateContentResponse(body, model);
  const text = response.content
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('')
    .trim();
  const { inputTokens, outputTokens } = response.usage;
  const reported = inputTokens > 0 || outputTokens > 0;
  const usage: AudioUsage | undefined = reported
    ? { unit: 'token', input: inputTokens, output: outputTokens, estimated: false }
    : undefined;
  if (request.audio !== 'speech' && request.responseFormat === 'text')
    return { contentType: 'text/plain; charset=utf-8', body: `${text}\n`, usage };
  const openAIUsage = reported
    ? { type: 'tokens', input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens }
    : undefined;
  return {
    contentType: 'application/json',
    body: JSON.stringify(
      request.audio === 'translations' ? { text } : { text, ...(openAIUsage === undefined ? {} : { usage: openAIUsage }) },
    ),
    usage,
  };
}
