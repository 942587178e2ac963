// One HttpProviderAdapter for every OpenAI-format upstream. What differs per provider is the
// dialect (which parameters it accepts) and the endpoint (URL layout and auth header): OpenAI and
// the compatible providers use `{baseURL}/chat/completions` with a Bearer key, Azure its own.

import type { ProviderName } from '@switchyard/compiler';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { BackendTarget, UpstreamHttpRequest } from '../unified/provider-codec.js';
import type { HttpProviderAdapter } from './provider-adapter.js';
import { attachOpenAIImages, type OpenAIImageOperation } from './openai-family-images.js';
import type { UnifiedModerationsRequest } from '../unified/moderations.js';
import type { UnifiedRerankRequest } from '../unified/rerank.js';
import type { AudioEndpoint } from '../unified/audio.js';
import { encodeOpenAIAudioRequest, servesAudio } from './openai-family-audio.js';
import {
  convertToCohereRerankRequest,
  convertToJinaRerankRequest,
  decodeCohereRerankResponse,
  decodeJinaRerankResponse,
} from '../wire/rerank/index.js';
import {
  convertToOpenAIChatRequest,
  decodeOpenAIChatResponse,
  type OpenAIDialect,
  convertToOpenAIEmbeddingsRequest,
  decodeOpenAIEmbeddingsResponse,
  convertToOpenAIModerationsRequest,
  decodeOpenAIModerationsResponse,
  decodeOpenAIError,
  OpenAIStreamDecoder,
} from '../wire/openai-chat/index.js';

export interface OpenAIFamilyEndpoint {
  chatURL(target: BackendTarget): string;
  embeddingsURL(target: BackendTarget): string;
  /** The audio endpoints' URL; absent: `{baseURL}/audio/{endpoint}`. */
  audioURL?(target: BackendTarget, endpoint: AudioEndpoint): string;
  authHeaders(target: BackendTarget): Record<string, string>;
  /** Whether the request body names the model (Azure takes it from the deployment in the URL). */
  modelInBody: boolean;
  /** The Images API's URLs where they are not `{baseURL}/images/...` (Azure's deployments). */
  imagesURL?(target: BackendTarget, operation: OpenAIImageOperation): string;
}

/** `{baseURL}/chat/completions` with `Authorization: Bearer <key>`; no key, no header (local servers). */
const bearerEndpoint: OpenAIFamilyEndpoint = {
  chatURL: (target) => `${trimSlash(target.backend.baseURL)}/chat/completions`,
  embeddingsURL: (target) => `${trimSlash(target.backend.baseURL)}/embeddings`,
  authHeaders: (target): Record<string, string> =>
    target.credential?.apiKey ? { authorization: `Bearer ${target.credential.apiKey}` } : {},
  modelInBody: true,
};

interface OpenAIFamilyAdapterOptions {
  provider: ProviderName;
  dialect: OpenAIDialect;
  endpoint?: OpenAIFamilyEndpoint;
}

/** URLs and headers of one (backend, credential): fixed for a table's lifetime, so built once. */
interface PreparedTarget {
  chatURL: string;
  embeddingsURL: string;
  /** Frozen: every request of the target shares them, so nothing downstream may add to them. */
  jsonHeaders: Record<string, string>;
  streamHeaders: Record<string, string>;
}

export function createOpenAIFamilyAdapter(options: OpenAIFamilyAdapterOptions): HttpProviderAdapter {
  const { provider, dialect } = options;
  const endpoint = options.endpoint ?? bearerEndpoint;
  // Keyed by the table's own objects: a new table (new backend objects) starts afresh, and the
  // old entries go with the old table.
  const preparedByBackend = new WeakMap<BackendTarget['backend'], Map<BackendTarget['credential'], PreparedTarget>>();

  const prepare = (target: BackendTarget): PreparedTarget => {
    let byCredential = preparedByBackend.get(target.backend);
    if (byCredential === undefined) {
      byCredential = new Map();
      preparedByBackend.set(target.backend, byCredential);
    }
    let prepared = byCredential.get(target.credential);
    if (prepared === undefined) {
      const headers = (accept: string): Record<string, string> =>
        Object.freeze({
          ...lowerCaseNames(target.backend.headers),
          'content-type': 'application/json',
          accept,
          ...endpoint.authHeaders(target),
        }) as Record<string, string>;
      prepared = {
        chatURL: endpoint.chatURL(target),
        embeddingsURL: endpoint.embeddingsURL(target),
        jsonHeaders: headers('application/json'),
        streamHeaders: headers('text/event-stream'),
      };
      byCredential.set(target.credential, prepared);
    }
    return prepared;
  };

  const adapter: HttpProviderAdapter = {
    kind: 'http',
    provider,
    encodeChatRequest(request: UnifiedChatRequest, target: BackendTarget): UpstreamHttpRequest {
      const body = convertToOpenAIChatRequest(request, target.backend.model, dialect, provider);
      if (!endpoint.modelInBody) delete (body as { model?: string }).model;
      const prepared = prepare(target);
      return {
        url: prepared.chatURL,
        method: 'POST',
        headers: request.stream ? prepared.streamHeaders : prepared.jsonHeaders,
        body: JSON.stringify(body),
      };
    },
    decodeChatResponse: (body) => decodeOpenAIChatResponse(body, provider),
    createStreamDecoder: () => new OpenAIStreamDecoder(provider),
    decodeError: (status, headers, bodyText) => decodeOpenAIError(status, headers, bodyText, provider),
    encodeEmbeddingsRequest(request: UnifiedEmbeddingsRequest, target: BackendTarget): UpstreamHttpRequest {
      const body = convertToOpenAIEmbeddingsRequest(request, target.backend.model, dialect.user);
      if (!endpoint.modelInBody) delete (body as { model?: string }).model;
      const prepared = prepare(target);
      return { url: prepared.embeddingsURL, method: 'POST', headers: prepared.jsonHeaders, body: JSON.stringify(body) };
    },
    decodeEmbeddingsResponse: (body) => decodeOpenAIEmbeddingsResponse(body, provider),
  };
  // Only OpenAI and compatible servers have /moderations (Azure OpenAI and the other dialects do
  // not); the others leave the methods out, and the call answers 400 naming the provider.
  if (provider === 'openai' || provider === 'openai-compatible') {
    adapter.encodeModerationsRequest = (request: UnifiedModerationsRequest, target: BackendTarget): UpstreamHttpRequest => {
      const prepared = prepare(target);
      const body = convertToOpenAIModerationsRequest(request, target.backend.model);
      return {
        url: `${trimSlash(target.backend.baseURL)}/moderations`,
        method: 'POST',
        headers: prepared.jsonHeaders,
        body: JSON.stringify(body),
      };
    };
    adapter.decodeModerationsResponse = (body) => decodeOpenAIModerationsResponse(body, provider);
  }
  // Images: OpenAI's API and Azure's deployments of it; the compatible presets' image APIs
  // (where they have one) differ per server and are not mapped (docs/compatibility.md).
  if (provider === 'openai' || provider === 'azure-openai') {
    const imagesURL = endpoint.imagesURL;
    attachOpenAIImages(adapter, provider, {
      imagesURL: imagesURL ?? ((target, operation) => `${trimSlash(target.backend.baseURL)}/${operation}`),
      headers: (target) => prepare(target).jsonHeaders,
      modelInBody: endpoint.modelInBody,
    });
  }
  // Rerank is no OpenAI API: Cohere has its own (/v2/rerank), and vLLM, Together, Jina and
  // self-hosted servers such as Infinity serve the Jina-style `{baseURL}/rerank`.
  // The other presets have none; their call answers 400 naming the provider.
  const rerankDialect = RERANK_DIALECTS[provider];
  if (rerankDialect !== undefined) {
    const cohere = rerankDialect === 'cohere';
    adapter.encodeRerankRequest = (request: UnifiedRerankRequest, target: BackendTarget): UpstreamHttpRequest => {
      const prepared = prepare(target);
      const model = target.backend.model;
      const body = cohere ? convertToCohereRerankRequest(request, model) : convertToJinaRerankRequest(request, model);
      const base = trimSlash(target.backend.baseURL);
      return {
        url: cohere ? cohereRerankURL(base) : `${base}/rerank`,
        method: 'POST',
        headers: prepared.jsonHeaders,
        body: JSON.stringify(body),
      };
    };
    adapter.decodeRerankResponse = cohere
      ? (body, request, target) => decodeCohereRerankResponse(body, request, provider, target.backend.model)
      : (body, request, target) => decodeJinaRerankResponse(body, request, provider, target.backend.model);
  }
  if (servesAudio(provider)) {
    const audioShape = {
      audioURL: endpoint.audioURL ?? ((target: BackendTarget, op: AudioEndpoint) => `${trimSlash(target.backend.baseURL)}/audio/${op}`),
      baseHeaders: (target: BackendTarget) => ({ ...lowerCaseNames(target.backend.headers), ...endpoint.authHeaders(target) }),
      modelInBody: endpoint.modelInBody,
    };
    adapter.encodeAudioRequest = (request, target) => encodeOpenAIAudioRequest(provider, audioShape, request, target);
  }
  return adapter;
}

/** Which rerank API each provider with one speaks. */
const RERANK_DIALECTS: Partial<Record<ProviderName, 'cohere' | 'jina'>> = {
  cohere: 'cohere',
  vllm: 'jina',
  together: 'jina',
  'openai-compatible': 'jina',
};

/**
 * Cohere's rerank is on its native API, `/v2/rerank` at the host, while the provider's default
 * base URL is the OpenAI compatibility API (`https://api.cohere.ai/compatibility/v1`): the
 * version path (`/compatibility/v1`, `/v1`, `/v2`) is dropped and `/v2/rerank` added to what
 * remains, so a base URL pointing at a proxy or a private deployment keeps its host and prefix.
 */
function cohereRerankURL(baseURL: string): string {
  return `${baseURL.replace(/\/(?:compatibility\/)?v[12]$/, '')}/v2/rerank`;
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
