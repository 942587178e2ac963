// What a caller-side codec in wire/ takes and produces: the request's context, the encoded
// error, and the stream encoder it implements. Front doors (frontdoors/) bind these to paths.
import type { GatewayError } from '../errors/gateway-error.js';
import type { UnifiedChatRequest } from './chat-request.js';
import type { UnifiedStreamEvent } from './stream-events.js';

/** The wire format a caller spoke; replies and errors go back in it. */
export type CallerFormat = 'openai' | 'openai-responses' | 'anthropic' | 'gemini';

export interface FrontDoorContext {
  requestId: string;
  /** Model named by the path (Gemini `models/{model}:generateContent`, the get-model endpoints), if any. */
  pathModel?: string;
  /** Streaming requested by the path (Gemini `:streamGenerateContent`) rather than the body. */
  pathStream?: boolean;
  /** The request URL's query parameters, for formats that put options there (Gemini `alt`). */
  query?: URLSearchParams;
  /** The authenticated virtual key (`namespace/name`): scopes per-tenant state such as stored responses. */
  keyId?: string;
}

export interface EncodedError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Streams a unified event sequence back in the caller's format. Closing frames come from
 * `end()` (after all events, so usage that arrives after the finish reason still lands in
 * them); `error()` ends a stream that failed after its first byte.
 */
export interface FrontDoorStreamEncoder {
  readonly contentType: string;
  encode(event: UnifiedStreamEvent): string;
  end(): string;
  error(error: GatewayError): string;
}

/** A model a key may use, as the model-list endpoints show it. */
export interface ModelEntry {
  /** The public name (a route's model or one of its aliases). */
  readonly id: string;
  /** The namespace of the route behind the name (OpenAI's `owned_by`). */
  readonly owner: string;
}

/** The models one key may use, as the pipeline hands them to a front door's model-list codec. */
export interface ModelCatalog {
  /** Sorted by id (UTF-16 code unit order). */
  readonly models: readonly ModelEntry[];
  readonly byId: ReadonlyMap<string, ModelEntry>;
  /** When the serving routing table was compiled, in seconds: the models' creation time. */
  readonly createdAtSeconds: number;
}

/** count-tokens: the gateway's own estimate (no provider is asked), in the front door's formula and shapes. */
export interface CountTokensCodec {
  decodeCountTokensRequest(body: unknown, context: FrontDoorContext): UnifiedChatRequest;
  estimateInputTokens(request: UnifiedChatRequest): number;
  encodeCountTokensResponse(inputTokens: number, context: FrontDoorContext): string;
}

/** list-models and get-model in the front door's shapes. Both throw GatewayError (a bad page query, an unknown model). */
export interface ModelListCodec {
  encodeModelList(catalog: ModelCatalog, context: FrontDoorContext): string;
  /** The model is `context.pathModel`; one the key may not use is a 404, as for an unknown one. */
  encodeModel(catalog: ModelCatalog, context: FrontDoorContext): string;
}
