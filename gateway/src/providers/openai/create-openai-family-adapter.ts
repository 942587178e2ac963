// One HttpProviderAdapter for every OpenAI-format upstream. What differs per provider is the
// dialect (which parameters it accepts) and the endpoint (URL layout and auth header): OpenAI and
// the compatible providers use `{baseURL}/chat/completions` with a Bearer key, Azure its own.

import type { ProviderName } from '@switchyard/compiler';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { BackendTarget, HttpProviderAdapter, UpstreamHttpRequest } from '../provider-adapter.js';
import { convertToOpenAIChatRequest } from './convert-to-openai-chat-request.js';
import { decodeOpenAIChatResponse } from './decode-openai-chat-response.js';
import type { OpenAIDialect } from './openai-dialect.js';
import { convertToOpenAIEmbeddingsRequest, decodeOpenAIEmbeddingsResponse } from './openai-embeddings.js';
import { decodeOpenAIError } from './openai-errors.js';
import { OpenAIStreamDecoder } from './openai-stream-decoder.js';

export interface OpenAIFamilyEndpoint {
  chatURL(target: BackendTarget): string;
  embeddingsURL(target: BackendTarget): string;
  authHeaders(target: BackendTarget): Record<string, string>;
  /** Whether the request body names the model (Azure takes it from the deployment in the URL). */
  modelInBody: boolean;
}

/** `{baseURL}/chat/completions` with `Authorization: Bearer <key>`; no key, no header (local servers). */
export const bearerEndpoint: OpenAIFamilyEndpoint = {
  chatURL: (target) => `${trimSlash(target.backend.baseURL)}/chat/completions`,
  embeddingsURL: (target) => `${trimSlash(target.backend.baseURL)}/embeddings`,
  authHeaders: (target): Record<string, string> => (target.credential?.apiKey ? { authorization: `Bearer ${target.credential.apiKey}` } : {}),
  modelInBody: true,
};

export interface OpenAIFamilyAdapterOptions {
  provider: ProviderName;
  dialect: OpenAIDialect;
  endpoint?: OpenAIFamilyEndpoint;
}

export function createOpenAIFamilyAdapter(options: OpenAIFamilyAdapterOptions): HttpProviderAdapter {
  const { provider, dialect } = options;
  const endpoint = options.endpoint ?? bearerEndpoint;

  const post = (url: string, target: BackendTarget, body: object, stream: boolean): UpstreamHttpRequest => ({
    url,
    method: 'POST',
    headers: {
      ...lowerCaseNames(target.backend.headers),
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...endpoint.authHeaders(target),
    },
    body: JSON.stringify(body),
  });

  return {
    kind: 'http',
    provider,
    encodeChatRequest(request: UnifiedChatRequest, target: BackendTarget): UpstreamHttpRequest {
      const body = convertToOpenAIChatRequest(request, target.backend.model, dialect, provider);
      if (!endpoint.modelInBody) delete (body as { model?: string }).model;
      return post(endpoint.chatURL(target), target, body, request.stream);
    },
    decodeChatResponse: (body) => decodeOpenAIChatResponse(body, provider),
    createStreamDecoder: () => new OpenAIStreamDecoder(provider),
    decodeError: (status, headers, bodyText) => decodeOpenAIError(status, headers, bodyText, provider),
    encodeEmbeddingsRequest(request: UnifiedEmbeddingsRequest, target: BackendTarget): UpstreamHttpRequest {
      const body = convertToOpenAIEmbeddingsRequest(request, target.backend.model, dialect.user);
      if (!endpoint.modelInBody) delete (body as { model?: string }).model;
      return post(endpoint.embeddingsURL(target), target, body, false);
    },
    decodeEmbeddingsResponse: (body) => decodeOpenAIEmbeddingsResponse(body, provider),
  };
}

/** Header names are case-insensitive; lower-casing them lets ours replace a configured one. */
function lowerCaseNames(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

export function trimSlash(url: string): string {
  return url.endsWith('/') ? url.replace(/\/+$/, '') : url;
}
