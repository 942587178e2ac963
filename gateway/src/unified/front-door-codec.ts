// What a caller-side codec in wire/ takes and produces: the request's context, the encoded
// error, and the stream encoder it implements. Front doors (frontdoors/) bind these to paths.
import type { GatewayError } from '../errors/gateway-error.js';
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
