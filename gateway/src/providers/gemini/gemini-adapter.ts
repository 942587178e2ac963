// Gemini on Google AI Studio (the Generative Language API): `POST {baseURL}/v1beta/models/
// {model}:generateContent`, `:streamGenerateContent?alt=sse`, `:embedContent` and
// `:batchEmbedContents`, authenticated with the `x-goog-api-key` header. The body translations
// live in wire/gemini, shared with the Vertex AI adapter and the Gemini front door.

import type { BackendTarget, UpstreamHttpRequest } from '../../unified/provider-codec.js';
import { convertToImagenPredictRequest, decodeImagenPredictResponse } from '../../wire/images/index.js';
import type { HttpProviderAdapter } from '../provider-adapter.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import {
  decodeGeminiEmbeddingsResponse,
  encodeGeminiEmbeddingsRequest,
  decodeGeminiError,
  decodeGeminiGenerateContentResponse,
  encodeGeminiGenerateContentRequest,
  GeminiSseStreamDecoder,
} from '../../wire/gemini/index.js';
import { decodeGeminiTranscriptionResponse, encodeGeminiTranscriptionRequest } from '../../wire/audio/index.js';

const GEMINI_API_VERSION = 'v1beta';

/**
 * The model's resource name: `models/<id>` for a plain id, as given for ids that already name
 * a collection (`models/gemini-2.5-flash`, `tunedModels/my-model`).
 */
function geminiModelResource(model: string): string {
  const trimmed = model.replace(/^\/+/, '');
  const segments = trimmed.includes('/') ? trimmed.split('/') : ['models', trimmed];
  return segments.map(encodeURIComponent).join('/');
}

/** `{baseURL}/v1beta/<resource>:<method>`; a baseURL that already ends in an API version keeps it. */
export function geminiMethodUrl(baseURL: string, model: string, method: string): string {
  const base = baseURL.replace(/\/+$/, '');
  const versioned = /\/v1(?:alpha|beta)?\d*$/.test(base) ? base : `${base}/${GEMINI_API_VERSION}`;
  return `${versioned}/${geminiModelResource(model)}:${method}`;
}

function requestHeaders(target: BackendTarget): Record<string, string> {
  const apiKey = target.credential?.apiKey;
  if (apiKey === undefined || apiKey === '') {
    throw new UpstreamFailure(
      'AuthError',
      0,
      `backend ${target.backend.name} has no Gemini API key (credential ${target.credential?.ref ?? 'missing'})`,
    );
  }
  return { ...target.backend.headers, 'content-type': 'application/json', 'x-goog-api-key': apiKey };
}

export const geminiAdapter: HttpProviderAdapter = {
  kind: 'http',
  provider: 'gemini',

  encodeChatRequest(request, target): UpstreamHttpRequest {
    const body = encodeGeminiGenerateContentRequest(request, target.backend.model);
    const method = request.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    const headers = requestHeaders(target);
    if (request.stream) headers['accept'] = 'text/event-stream';
    return {
      url: geminiMethodUrl(target.backend.baseURL, target.backend.model, method),
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    };
  },

  decodeChatResponse(body, target) {
    return decodeGeminiGenerateContentResponse(body, target.backend.model);
  },

  createStreamDecoder(target) {
    return new GeminiSseStreamDecoder(target.backend.model);
  },

  decodeError(status, headers, bodyText) {
    return decodeGeminiError(status, headers, bodyText);
  },

  // Transcriptions and translations as generateContent with the audio inline (wire/audio/gemini-transcription.ts).
  encodeAudioRequest(request, target): UpstreamHttpRequest {
    const body = encodeGeminiTranscriptionRequest(request, 'gemini');
    return {
      url: geminiMethodUrl(target.backend.baseURL, target.backend.model, 'generateContent'),
      method: 'POST',
      headers: requestHeaders(target),
      body: JSON.stringify(body),
    };
  },

  decodeAudioResponse: (body, request, target) => decodeGeminiTranscriptionResponse(body, request, target.backend.model),

  encodeEmbeddingsRequest(request, target): UpstreamHttpRequest {
    const encoded = encodeGeminiEmbeddingsRequest(request, geminiModelResource(target.backend.model));
    return {
      url: geminiMethodUrl(target.backend.baseURL, target.backend.model, encoded.method),
      method: 'POST',
      headers: requestHeaders(target),
      body: JSON.stringify(encoded.body),
    };
  },

  decodeEmbeddingsResponse(body, target) {
    return decodeGeminiEmbeddingsResponse(body, target.backend.model);
  },

  // Images: Imagen's `:predict` on the Gemini API (wire/images/imagen-predict.ts says what maps).
  encodeImageRequest(request, target): UpstreamHttpRequest {
    return {
      url: geminiMethodUrl(target.backend.baseURL, target.backend.model, 'predict'),
      method: 'POST',
      headers: requestHeaders(target),
      body: JSON.stringify(convertToImagenPredictRequest(request, 'gemini')),
    };
  },

  decodeImageResponse: (body) => decodeImagenPredictResponse(body, 'gemini'),
};
