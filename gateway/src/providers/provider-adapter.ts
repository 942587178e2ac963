import type { ProviderName } from '@switchyard/compiler';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../unified/stream-events.js';
import type { UnifiedModerationsRequest, UnifiedModerationsResponse } from '../unified/moderations.js';
import type { UnifiedRerankRequest, UnifiedRerankResponse } from '../unified/rerank.js';
import type { UnifiedImageRequest, UnifiedImageResponse } from '../unified/images.js';
import type { AudioUsage, UnifiedAudioRequest } from '../unified/audio.js';
import type { RealtimeUpstreamRequest } from '../unified/realtime.js';
import type { BackendTarget, StreamDecoder, UpstreamHeaders, UpstreamHttpRequest } from '../unified/provider-codec.js';
import type { AbortEmitter, UpstreamTransport } from '../transport/upstream-transport.js';
import type { UpstreamFailure } from '../errors/upstream-failure.js';
import type { ChatPassthrough } from '../unified/passthrough.js';

/**
 * What `authorizeRequest` may use to reach an authorization server: the gateway's transport (so
 * the egress guard and connection pools apply to token endpoints too), the attempt's abort
 * signal, and the route's timeouts.
 */
export interface RequestAuthorizationContext {
  transport: UpstreamTransport;
  /** Aborted when the attempt ends (client gone, deadline); aborts only this attempt's wait. */
  signal: AbortEmitter;
  timeouts: { connectMs: number; firstByteMs: number; streamIdleMs: number };
}

export interface HttpProviderAdapter {
  readonly kind: 'http';
  readonly provider: ProviderName;
  encodeChatRequest(request: UnifiedChatRequest, target: BackendTarget): UpstreamHttpRequest;
  decodeChatResponse(body: unknown, target: BackendTarget): UnifiedChatResponse;
  createStreamDecoder(target: BackendTarget): StreamDecoder;
  /** Maps a non-2xx upstream answer to a classified failure with the provider's message. */
  decodeError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamFailure;
  /**
   * Present when the upstream speaks OpenAI Chat Completions with no per-provider rewrite (the
   * `openai` and `openai-compatible` providers): an OpenAI-format caller's chat then skips the
   * decode-to-unified and re-encode of the bodies (pipeline/passthrough.ts).
   */
  chatPassthrough?: ChatPassthrough;
  encodeEmbeddingsRequest?(request: UnifiedEmbeddingsRequest, target: BackendTarget): UpstreamHttpRequest;
  /** `headers`: the answer's headers, for providers that report usage there (Cohere on Bedrock). */
  decodeEmbeddingsResponse?(body: unknown, target: BackendTarget, headers?: UpstreamHeaders): UnifiedEmbeddingsResponse;
  /** Only providers with a moderations API (OpenAI and OpenAI-compatible servers). */
  encodeModerationsRequest?(request: UnifiedModerationsRequest, target: BackendTarget): UpstreamHttpRequest;
  decodeModerationsResponse?(body: unknown, target: BackendTarget): UnifiedModerationsResponse;
  /** Only providers with a rerank API (Cohere, vLLM, Together, OpenAI-compatible servers: docs/compatibility.md). */
  encodeRerankRequest?(request: UnifiedRerankRequest, target: BackendTarget): UpstreamHttpRequest;
  /** `request`: the decoded caller request, against which result indexes are checked and `top_n` applied. */
  decodeRerankResponse?(body: unknown, request: UnifiedRerankRequest, target: BackendTarget): UnifiedRerankResponse;
  /** Only providers with an image API (OpenAI, Azure OpenAI, Imagen on Vertex AI and Gemini, Titan on Bedrock: docs/compatibility.md). */
  encodeImageRequest?(request: UnifiedImageRequest, target: BackendTarget): UpstreamHttpRequest;
  decodeImageResponse?(body: unknown, request: UnifiedImageRequest, target: BackendTarget): UnifiedImageResponse;
  /** Only providers with audio endpoints (docs/providers/openai.md, "Audio"); throws UnsupportedFeatureError for one it lacks. */
  encodeAudioRequest?(request: UnifiedAudioRequest, target: BackendTarget): UpstreamHttpRequest;
  /**
   * For providers whose audio answer is not OpenAI's (Gemini's generateContent): the OpenAI-shape
   * answer, from the upstream's JSON. Absent: the upstream's answer is passed through as it came.
   */
  decodeAudioResponse?(body: unknown, request: UnifiedAudioRequest, target: BackendTarget): DecodedAudioAnswer;
  /**
   * Only providers with a realtime WebSocket API (OpenAI, Azure OpenAI): the upstream socket of
   * GET /v1/realtime, with the backend's credential. `callerHeaders`: the few caller headers
   * that select a protocol version upstream (`openai-beta`).
   */
  realtimeUpstream?(target: BackendTarget, callerHeaders: Readonly<Record<string, string>>): RealtimeUpstreamRequest;
  /**
   * For providers whose credential is not a static header (OAuth2 access tokens): adds the
   * authorization headers to an encoded request, fetching or refreshing a token when needed.
   * Runs inside the attempt's first-byte deadline. Throws UpstreamFailure. Adapters that
   * authorize in their encoders leave it undefined and cost nothing.
   */
  authorizeRequest?(request: UpstreamHttpRequest, target: BackendTarget, context: RequestAuthorizationContext): Promise<void>;
}

/** A provider answered in-process (the `mock` provider): no HTTP, same semantics. */
export interface InProcessProviderAdapter {
  readonly kind: 'in-process';
  readonly provider: ProviderName;
  complete(request: UnifiedChatRequest, target: BackendTarget, signal: AbortSignal): Promise<UnifiedChatResponse>;
  stream(request: UnifiedChatRequest, target: BackendTarget, signal: AbortSignal): AsyncIterable<UnifiedStreamEvent>;
  embed?(request: UnifiedEmbeddingsRequest, target: BackendTarget, signal: AbortSignal): Promise<UnifiedEmbeddingsResponse>;
}

export type ProviderAdapter = HttpProviderAdapter | InProcessProviderAdapter;

/** An audio answer an adapter rebuilt in OpenAI's shape. */
interface DecodedAudioAnswer {
  contentType: string;
  body: string;
  /** Undefined: the upstream reported none; the gateway's estimate is charged. */
  usage: AudioUsage | undefined;
}
