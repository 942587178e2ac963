// The OpenAI audio API on the OpenAI family: `{baseURL}/audio/{transcriptions,translations,speech}`
// with the endpoint's own auth (Bearer, or Azure's `api-key` on the deployment URL). Which
// providers serve which of the three is below; a request for one a provider lacks answers 400
// naming the endpoint and the provider, and falls to no other backend of that provider.
import type { ProviderName } from '@switchyard/compiler';
import { UnsupportedFeatureError } from '../errors/unsupported-feature-error.js';
import type { AudioEndpoint, UnifiedAudioRequest } from '../unified/audio.js';
import type { BackendTarget, UpstreamHttpRequest } from '../unified/provider-codec.js';
import { encodeSpeechBody, encodeTranscriptionMultipart } from '../wire/audio/index.js';

const ALL: ReadonlySet<AudioEndpoint> = new Set(['transcriptions', 'translations', 'speech']);

/**
 * The audio endpoints each OpenAI-family provider serves at its base URL (docs/providers/openai.md,
 * "Audio"): Groq (Whisper, and its TTS models) and Together (Whisper; Cartesia and other voices)
 * serve all three; vLLM serves speech to text for Whisper-style models; Mistral transcribes with
 * Voxtral but has no translations or speech; OpenRouter takes OpenAI's multipart transcription
 * upload (beside its own JSON form) and has no translations or speech. The rest (DeepSeek, xAI,
 * Fireworks, whose audio is on another host, Cohere, Ollama) have none at their base URL.
 */
const AUDIO_ENDPOINTS: Partial<Record<ProviderName, ReadonlySet<AudioEndpoint>>> = {
  openai: ALL,
  'azure-openai': ALL,
  groq: ALL,
  together: ALL,
  'openai-compatible': ALL,
  vllm: new Set(['transcriptions', 'translations']),
  mistral: new Set(['transcriptions']),
  openrouter: new Set(['transcriptions']),
};

export function servesAudio(provider: ProviderName): boolean {
  return AUDIO_ENDPOINTS[provider] !== undefined;
}

export interface AudioEndpointShape {
  /** The URL of one audio endpoint for this backend. */
  audioURL(target: BackendTarget, endpoint: AudioEndpoint): string;
  /** Headers of every request: the backend's configured ones and the credential. */
  baseHeaders(target: BackendTarget): Record<string, string>;
  /** Whether the body names the model (Azure takes it from the deployment in the URL). */
  modelInBody: boolean;
}

export function encodeOpenAIAudioRequest(
  provider: ProviderName,
  shape: AudioEndpointShape,
  request: UnifiedAudioRequest,
  target: BackendTarget,
): UpstreamHttpRequest {
  if (AUDIO_ENDPOINTS[provider]?.has(request.audio) !== true)
    throw new UnsupportedFeatureError(`audio ${request.audio} (/v1/audio/${request.audio})`, provider);
  const model = shape.modelInBody ? target.backend.model : undefined;
  const url = shape.audioURL(target, request.audio);
  if (request.audio === 'speech') {
    const accept = request.streamFormat === 'sse' ? 'text/event-stream' : '*/*';
    return {
      url,
      method: 'POST',
      headers: { ...shape.baseHeaders(target), 'content-type': 'application/json', accept },
      body: encodeSpeechBody(request, model),
    };
  }
  const { contentType, body } = encodeTranscriptionMultipart(request, model);
  const accept = request.stream ? 'text/event-stream' : '*/*';
  return { url, method: 'POST', headers: { ...shape.baseHeaders(target), 'content-type': contentType, accept }, body };
}
