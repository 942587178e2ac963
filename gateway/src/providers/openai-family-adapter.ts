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
  OPENAI_DIALECT,
  PassthroughStreamRewriter,
  readPassthroughCompletion,
} from '../wire/openai-chat/index.js';
import type { ChatPassthrough } from '../unified/passthrough.js';

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
  if (endpoint.modelInBody && (provider === 'openai' || provider === 'openai-compatible') && passthroughDialect(dialect))
    adapter.chatPassthrough = createChatPassthrough(dialect, (target, stream) => {
      const prepared = prepare(target);
      return { url: prepared.chatURL, headers: stream ? prepared.streamHeaders : prepared.jsonHeaders };
    });
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

/**
 * Whether a dialect differs from OpenAI's only where the passthrough can follow it on the
 * caller's body (the output cap's name, reasoning efforts, file parts, prompt-cache fields):
 * every other difference needs the full translation.
 */
function passthroughDialect(dialect: OpenAIDialect): boolean {
  const o = OPENAI_DIALECT;
  return (
    dialect.streamOptions === o.streamOptions &&
    dialect.seed === o.seed &&
    dialect.parallelToolCalls === o.parallelToolCalls &&
    dialect.jsonSchema === o.jsonSchema &&
    dialect.reasoningEffort === o.reasoningEffort &&
    dialect.user === o.user &&
    dialect.messageNames === o.messageNames &&
    dialect.requiredToolChoice === o.requiredToolChoice &&
    dialect.reasoningInHistory === o.reasoningInHistory &&
    dialect.toolCallIds === o.toolCallIds
  );
}

/**
 * Caller fields never forwarded on either path: `metadata` is the gateway's own (routing hints,
 * docs/routing.md); `service_tier` changes what the upstream charges (flex, priority) while the
 * gateway prices the request at the standard rate, so forwarding it would let a caller spend past
 * its budget; `store` keeps the exchange at the provider under the platform's credential, which
 * is the platform's decision, not the caller's.
 */
const GATEWAY_FIELDS = new Set(['metadata', 'service_tier', 'store']);
/** Content parts every passthrough dialect takes; others (files, cache breakpoints) are checked against the dialect. */
const PLAIN_PARTS = new Set(['text', 'image_url']);
/** Roles every OpenAI-format server takes; `developer` is OpenAI's newer name for `system`, which the translation sends elsewhere. */
const PLAIN_ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/**
 * The passthrough's encoder: the caller's parsed body with the backend's model, the output cap
 * under the dialect's name and usage asked for on streams, serialized once. A body using what
 * the dialect takes differently (an effort it lacks, file parts, cache breakpoints) returns
 * undefined: that attempt takes the full translation.
 */
function createChatPassthrough(
  dialect: OpenAIDialect,
  where: (target: BackendTarget, stream: boolean) => { url: string; headers: Record<string, string> },
): ChatPassthrough {
  const otherCapField = dialect.maxTokensField === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
  // OpenAI's own dialect takes every message as the caller wrote it; the others are checked.
  const checkMessages = dialect !== OPENAI_DIALECT;
  return {
    encode(body, target, stream) {
      const upstream: Record<string, unknown> = {};
      for (const name in body) {
        if (GATEWAY_FIELDS.has(name)) continue;
        upstream[name] = body[name];
      }
      upstream.model = target.backend.model;
      if (upstream[otherCapField] !== undefined) {
        if (upstream[dialect.maxTokensField] !== undefined) return undefined;
        upstream[dialect.maxTokensField] = upstream[otherCapField];
        delete upstream[otherCapField];
      }
      if (upstream.parallel_tool_calls !== undefined && !(Array.isArray(upstream.tools) && upstream.tools.length > 0))
        delete upstream.parallel_tool_calls;
      if (!dialect.promptCacheKey) {
        delete upstream.prompt_cache_key;
        delete upstream.prompt_cache_retention;
      }
      const effort = upstream.reasoning_effort;
      if (effort !== undefined && !(dialect.reasoningEfforts as readonly unknown[]).includes(effort)) return undefined;
      if (checkMessages && !plainMessages(upstream.messages)) return undefined;
      if (stream) {
        const options = upstream.stream_options;
        upstream.stream_options =
          typeof options === 'object' && options !== null
            ? { ...(options as Record<string, unknown>), include_usage: true }
            : { include_usage: true };
      }
      const { url, headers } = where(target, stream);
      return { url, method: 'POST', headers, body: JSON.stringify(upstream) };
    },
    readCompletion: readPassthroughCompletion,
    createStreamRewriter: (requestedModel, includeUsage) => new PassthroughStreamRewriter(requestedModel, includeUsage),
  };
}

/** Whether every message's role and content parts are ones any passthrough dialect takes as sent. */
function plainMessages(messages: unknown): boolean {
  if (!Array.isArray(messages)) return false;
  for (const message of messages) {
    if (!PLAIN_ROLES.has((message as { role?: unknown } | null)?.role as string)) return false;
    const content = (message as { content?: unknown } | null)?.content;
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      const p = part as { type?: unknown; prompt_cache_breakpoint?: unknown } | null;
      if (p === null || typeof p !== 'object' || !PLAIN_PARTS.has(p.type as string) || p.prompt_cache_breakpoint !== undefined)
        return false;
    }
  }
  return true;
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
