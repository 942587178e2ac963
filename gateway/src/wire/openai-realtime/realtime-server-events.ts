// OpenAI Realtime server events as the gateway reads them while it relays a session: the event's
// `type` (for metrics), the usage of `response.done` (for budgets), and the `error` event the
// gateway itself sends before it closes a session (a budget spent, a frame too large).
import { randomBytes } from 'node:crypto';
import type { RealtimeUsage } from '../../unified/realtime.js';

/**
 * Events start with their `type` in practice (`{"type":"response.audio.delta",...}`); reading it
 * from the first bytes spares a JSON parse of every audio delta (base64, often tens of kB). An
 * event whose `type` is not near the start is parsed whole.
 */
const TYPE_PREFIX = /^\s*\{\s*(?:"event_id"\s*:\s*"[^"\\]{0,128}"\s*,\s*)?"type"\s*:\s*"([^"\\]{1,128})"/;

/** The event's `type`, or undefined for a frame that is not a JSON object with one. */
export function realtimeEventType(frame: Buffer): string | undefined {
  const match = TYPE_PREFIX.exec(frame.subarray(0, 512).toString('utf8'));
  if (match !== null) return match[1];
  const parsed = parseObject(frame.toString('utf8'));
  return typeof parsed?.type === 'string' ? parsed.type : undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** A modality's count: as reported, and at least what the total leaves unassigned to the others. */
function split(reported: unknown, remainder: number): number {
  return Math.max(count(reported), remainder);
}

/**
 * The usage of a `response.done` event (`response.usage`), undefined when it has none (a
 * cancelled response may report no usage). Input counts without a per-modality split are taken
 * as audio (the dearer modality), so the charge never falls short.
 */
export function responseDoneUsage(text: string): RealtimeUsage | undefined {
  const event = parseObject(text);
  if (event === undefined || event.type !== 'response.done') return undefined;
  const usage = record(record(event.response).usage);
  if (Object.keys(usage).length === 0) return undefined;
  const input = record(usage.input_token_details);
  const cached = record(input.cached_tokens_details);
  const output = record(usage.output_token_details);
  const inputTokens = count(usage.input_tokens);
  const outputTokens = count(usage.output_tokens);
  const inputText = count(input.text_tokens);
  const inputImage = count(input.image_tokens);
  const inputAudio = split(input.audio_tokens, inputTokens - inputText - inputImage);
  const cachedText = count(cached.text_tokens);
  const cachedImage = count(cached.image_tokens);
  const cachedAudio = split(cached.audio_tokens, count(input.cached_tokens) - cachedText - cachedImage);
  const outputText = count(output.text_tokens);
  const outputAudio = split(output.audio_tokens, outputTokens - outputText);
  return {
    inputTokens,
    outputTokens,
    inputTextTokens: inputText,
    inputAudioTokens: inputAudio,
    inputImageTokens: inputImage,
    cachedTextTokens: Math.min(cachedText, inputText),
    cachedAudioTokens: Math.min(cachedAudio, inputAudio),
    cachedImageTokens: Math.min(cachedImage, inputImage),
    outputTextTokens: outputText,
    outputAudioTokens: outputAudio,
  };
}

interface RealtimeErrorFields {
  /** `invalid_request_error`, `server_error`, ... */
  type: string;
  code: string;
  message: string;
}

/** A server `error` event of the gateway's own (RealtimeServerEventError), with a fresh event id. */
export function encodeRealtimeError(fields: RealtimeErrorFields): string {
  return JSON.stringify({
    type: 'error',
    event_id: `event_${randomBytes(12).toString('hex')}`,
    error: { type: fields.type, code: fields.code, message: fields.message, param: null, event_id: null },
  });
}
