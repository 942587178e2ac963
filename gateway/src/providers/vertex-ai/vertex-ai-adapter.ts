// Vertex AI as an HTTP provider. One backend serves one model; the model id picks the publisher
// (see vertex-ai-urls.ts): Gemini and other Google models speak the Gemini wire format
// (wire/gemini, shared with the Gemini adapter), Claude models speak Anthropic's Messages
// format (wire/anthropic-messages, shared with the Anthropic adapter). Authentication is an OAuth2
// access token made from the backend's service-account key (the JWT bearer grant), cached per
// key and added in `authorizeRequest`, so the synchronous encoders stay free of I/O.

import type { CompiledCredential } from '@switchyard/compiler';
import {
  decodeGeminiGenerateContentResponse,
  encodeGeminiGenerateContentRequest,
  GeminiSseStreamDecoder,
} from '../../wire/gemini/index.js';
import { AnthropicStreamDecoder, decodeAnthropicResponse } from '../../wire/anthropic-messages/index.js';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';
import { decodeGeminiTranscriptionResponse, encodeGeminiTranscriptionRequest } from '../../wire/audio/index.js';
import type { BackendTarget, UpstreamHttpRequest } from '../../unified/provider-codec.js';
import type { HttpProviderAdapter, RequestAuthorizationContext } from '../provider-adapter.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { exchangeJwtAssertion } from './google-token-exchange.js';
import { ServiceAccountKeyError } from './service-account-key.js';
import type { TokenSourceOptions } from './service-account-token.js';
import { ServiceAccountTokenSources } from './service-account-token-sources.js';
import { encodeVertexAnthropicRequest } from './vertex-ai-anthropic-request.js';
import { decodeVertexEmbeddingsResponse, encodeVertexEmbeddingsRequest } from '../../wire/vertex-embeddings/index.js';
import { convertToImagenPredictRequest, decodeImagenPredictResponse } from '../../wire/images/index.js';
import { decodeVertexAIError } from './vertex-ai-errors.js';
import { vertexBackendUrl, vertexChatMethod, vertexPublisherForModel } from './vertex-ai-urls.js';

interface VertexAIAdapterOptions {
  /** Clock for `created` on Claude answers and for token expiry, Unix milliseconds. */
  now?: () => number;
  tokens?: TokenSourceOptions;
}

function createVertexAIAdapter(options: VertexAIAdapterOptions = {}): HttpProviderAdapter {
  const now = options.now ?? Date.now;
  const sources = new ServiceAccountTokenSources({ now, ...options.tokens });

  return {
    kind: 'http',
    provider: 'vertex-ai',

    encodeChatRequest(request, target): UpstreamHttpRequest {
      const { backend } = target;
      const publisher = vertexPublisherForModel(backend.model);
      const url = vertexBackendUrl(backend, vertexChatMethod(publisher, request.stream));
      const body =
        publisher === 'anthropic'
          ? encodeVertexAnthropicRequest(request, backend.model, target.defaultMaxTokens)
          : encodeGeminiGenerateContentRequest(request, backend.model);
      return { url, method: 'POST', headers: requestHeaders(target, request.stream), body: JSON.stringify(body) };
    },

    decodeChatResponse(body, target) {
      if (vertexPublisherForModel(target.backend.model) === 'anthropic') return decodeAnthropicResponse(body, now());
      return decodeGeminiGenerateContentResponse(body, target.backend.model);
    },

    createStreamDecoder(target) {
      if (vertexPublisherForModel(target.backend.model) === 'anthropic') return new AnthropicStreamDecoder(now);
      return new GeminiSseStreamDecoder(target.backend.model);
    },

    decodeError: decodeVertexAIError,

    encodeEmbeddingsRequest(request, target): UpstreamHttpRequest {
      const { backend } = target;
      // Anthropic publishes no embedding models.
      if (vertexPublisherForModel(backend.model) === 'anthropic')
        throw new UnsupportedFeatureError('embeddings with a Claude model', 'vertex-ai');
      return {
        url: vertexBackendUrl(backend, 'predict'),
        method: 'POST',
        headers: requestHeaders(target, false),
        body: JSON.stringify(encodeVertexEmbeddingsRequest(request)),
      };
    },

    decodeEmbeddingsResponse(body, target) {
      return decodeVertexEmbeddingsResponse(body, target.backend.model);
    },

    // Images: Imagen's `:predict` on the Google publisher (wire/images/imagen-predict.ts says what maps).
    encodeImageRequest(request, target): UpstreamHttpRequest {
      const { backend } = target;
      if (vertexPublisherForModel(backend.model) === 'anthropic')
        throw new UnsupportedFeatureError('images with a Claude model', 'vertex-ai');
      return {
        url: vertexBackendUrl(backend, 'predict'),
        method: 'POST',
        headers: requestHeaders(target, false),
        body: JSON.stringify(convertToImagenPredictRequest(request, 'vertex-ai')),
      };
    },

    decodeImageResponse: (body) => decodeImagenPredictResponse(body, 'vertex-ai'),

    // Gemini models transcribe as on AI Studio (wire/audio/gemini-transcription.ts); Claude hears no audio.
    encodeAudioRequest(request, target): UpstreamHttpRequest {
      const { backend } = target;
      if (vertexPublisherForModel(backend.model) === 'anthropic')
        throw new UnsupportedFeatureError(`audio ${request.audio} with a Claude model`, 'vertex-ai');
      const body = encodeGeminiTranscriptionRequest(request, 'vertex-ai');
      return {
        url: vertexBackendUrl(backend, 'generateContent'),
        method: 'POST',
        headers: requestHeaders(target, false),
        body: JSON.stringify(body),
      };
    },

    decodeAudioResponse: (body, request, target) => decodeGeminiTranscriptionResponse(body, request, target.backend.model),

    async authorizeRequest(request: UpstreamHttpRequest, target: BackendTarget, context: RequestAuthorizationContext): Promise<void> {
      const { backend, credential } = target;
      const json = serviceAccountJson(credential);
      if (credential === undefined || json === undefined) {
        throw new UpstreamFailure(
          'AuthError',
          0,
          `backend ${backend.name} has no service-account JSON (credential ${credential?.ref ?? 'missing'})`,
        );
      }
      let token: string;
      try {
        const source = sources.sourceFor(credential, json);
        token = await source.accessToken((assertion, key) => exchangeJwtAssertion(assertion, key, context));
      } catch (error) {
        throw authorizationFailure(error, backend.name, credential.ref);
      }
      request.headers['authorization'] = `Bearer ${token}`;
    },
  };
}

function requestHeaders(target: BackendTarget, stream: boolean): Record<string, string> {
  // `authorization` is added by authorizeRequest; manifest headers cannot set it (CRD rule).
  return { ...target.backend.headers, 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
}

/** The compiler puts the key file in `serviceAccountJson`; a hand-built table may use `apiKey`. */
function serviceAccountJson(credential: CompiledCredential | undefined): string | undefined {
  const json = credential?.serviceAccountJson ?? credential?.apiKey;
  return json === undefined || json.trim() === '' ? undefined : json;
}

/** Names the backend and the credential's source (a Secret reference), never its content. */
function authorizationFailure(error: unknown, backendName: string, credentialRef: string): UpstreamFailure {
  if (error instanceof ServiceAccountKeyError) {
    return new UpstreamFailure(
      'AuthError',
      0,
      `backend ${backendName}: the service-account JSON in credential ${credentialRef} ${error.problem}`,
    );
  }
  if (error instanceof UpstreamFailure) {
    const options = error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
    return new UpstreamFailure(
      error.kind,
      error.status,
      `backend ${backendName}: Google OAuth ${error.message} (credential ${credentialRef})`,
      options,
    );
  }
  return new UpstreamFailure(
    'Other',
    0,
    `backend ${backendName}: could not get a Google access token (credential ${credentialRef}): ${error instanceof Error ? error.name : 'unknown error'}`,
  );
}

export const vertexAIAdapter: HttpProviderAdapter = createVertexAIAdapter();
