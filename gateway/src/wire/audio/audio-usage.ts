// What an audio answer used, in the billing unit of the model that gave it. OpenAI reports it in
// the answer where it can (`usage` of type `duration` or `tokens` on JSON transcriptions, the
// `done` events of streams, `duration` of verbose_json); subtitles carry their last cue's end;
// speech is billed on the request's own characters. Where nothing is reported the estimate from
// the request stands (marked estimated), and it is an upper bound.
import { audioBillingUnit, type ProviderName } from '@switchyard/compiler';
import type { AudioBillingUnit, AudioUsage, UnifiedAudioRequest } from '../../unified/audio.js';

/** Upper bound for token-billed speech to text: Gemini counts 32 tokens a second of audio, OpenAI fewer. */
const AUDIO_TOKENS_PER_SECOND = 32;
/** Speech is rarely over 4 words (about 5 tokens) a second. */
const TEXT_TOKENS_PER_SECOND = 5;
/** Token-billed speech: a text token is at least one character, so characters bound the input tokens. */
const SPEECH_TEXT_TOKENS_PER_CHAR = 1;
/** Speaking a character takes well under 0.1 s, a few audio tokens at most (the estimate when no `done` event reports them). */
const SPEECH_AUDIO_TOKENS_PER_CHAR = 3;

/**
 * The unit a backend's audio use is billed in: the catalog's for the models it lists; tokens
 * for Gemini and Vertex (their answers report tokens); otherwise seconds for speech to text and
 * characters for speech, the units of Whisper-style servers and classic TTS.
 */
export function audioUnitOf(provider: ProviderName, model: string, request: UnifiedAudioRequest): AudioBillingUnit {
  const listed = audioBillingUnit(provider, model);
  if (listed !== undefined) return listed;
  if (provider === 'gemini' || provider === 'vertex-ai') return 'token';
  return request.audio === 'speech' ? 'character' : 'second';
}

/** The gateway's bound on a request's usage, before anything is known of the answer. */
export function estimateAudioUsage(request: UnifiedAudioRequest, unit: AudioBillingUnit): AudioUsage {
  if (request.audio === 'speech') {
    const chars = [...request.input].length;
    if (unit === 'token')
      return { unit, input: chars * SPEECH_TEXT_TOKENS_PER_CHAR, output: chars * SPEECH_AUDIO_TOKENS_PER_CHAR, estimated: true };
    return { unit: 'character', input: chars, output: 0, estimated: unit !== 'character' };
  }
  const seconds = request.durationBoundSeconds;
  if (unit === 'token')
    return { unit, input: seconds * AUDIO_TOKENS_PER_SECOND, output: seconds * TEXT_TOKENS_PER_SECOND, estimated: true };
  return { unit: 'second', input: seconds, output: 0, estimated: true };
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `usage` as OpenAI reports it (TranscriptTextUsageTokens / Duration, or the speech done event's). */
function fromReportedUsage(usage: unknown, unit: AudioBillingUnit): AudioUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const reported = usage as { type?: unknown; seconds?: unknown; input_tokens?: unknown; output_tokens?: unknown };
  const seconds = numberOf(reported.seconds);
  if (reported.type === 'duration' && seconds !== undefined && unit !== 'token')
    return { unit: 'second', input: Math.ceil(seconds), output: 0, estimated: false };
  const input = numberOf(reported.input_tokens);
  if (input !== undefined && unit === 'token') return { unit, input, output: numberOf(reported.output_tokens) ?? 0, estimated: false };
  return undefined;
}

const LAST_CUE_END = /-->\s*(\d+):(\d{2}):(\d{2})[,.](\d{3})\s*$/;

/** The end of the last cue of an SRT or WebVTT answer: the audio's transcribed length. */
function lastCueEndSeconds(text: string): number | undefined {
  let end: number | undefined;
  for (const line of text.split(/\r?\n/)) {
    const match = LAST_CUE_END.exec(line.trim());
    if (match !== null) end = Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) + Number(match[4]) / 1000;
  }
  return end;
}

/** Usage of a whole transcription or translation answer. */
export function transcriptionUsage(request: UnifiedAudioRequest, unit: AudioBillingUnit, contentType: string, body: Buffer): AudioUsage {
  if (contentType.includes('json')) {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { usage?: unknown; duration?: unknown };
      const reported = fromReportedUsage(parsed.usage, unit);
      if (reported !== undefined) return reported;
      const duration = numberOf(parsed.duration);
      if (duration !== undefined && unit === 'second') return { unit, input: Math.ceil(duration), output: 0, estimated: false };
    } catch {
      // not JSON after all: billed on the estimate
    }
  } else if (unit === 'second') {
    const end = lastCueEndSeconds(body.toString('utf8'));
    if (end !== undefined) return { unit, input: Math.ceil(end), output: 0, estimated: false };
  }
  return estimateAudioUsage(request, unit);
}

/** Longest server-sent line kept while looking for a `done` event's usage; longer ones (audio deltas) are skipped. */
const MAX_SCANNED_LINE = 64 * 1024;

/**
 * Watches a streamed answer's server-sent events for the usage of its `transcript.text.done`
 * or `speech.audio.done` event, without holding the stream: only the current line is kept,
 * and a line longer than MAX_SCANNED_LINE (a base64 audio delta) is skipped.
 */
export class SseUsageScanner {
  private line = '';
  private skipping = false;
  private reported: AudioUsage | undefined;
  private readonly decoder = new TextDecoder();

  constructor(private readonly unit: AudioBillingUnit) {}

  push(chunk: Uint8Array): void {
    const text = this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      const piece = newline === -1 ? text.slice(start) : text.slice(start, newline);
      if (!this.skipping) {
        this.line += piece;
        if (this.line.length > MAX_SCANNED_LINE) {
          this.line = '';
          this.skipping = true;
        }
      }
      if (newline === -1) return;
      if (!this.skipping) this.scan(this.line);
      this.line = '';
      this.skipping = false;
      start = newline + 1;
    }
  }

  private scan(line: string): void {
    if (!line.startsWith('data:') || !line.includes('.done')) return;
    try {
      const event = JSON.parse(line.slice(5)) as { type?: unknown; usage?: unknown };
      if (event.type === 'transcript.text.done' || event.type === 'speech.audio.done') {
        this.reported = fromReportedUsage(event.usage, this.unit) ?? this.reported;
      }
    } catch {
      // a line that is not JSON carries no usage
    }
  }

  usage(): AudioUsage | undefined {
    return this.reported;
  }
}
