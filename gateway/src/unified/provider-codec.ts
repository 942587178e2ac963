// What a provider-side codec in wire/ takes and produces: the attempt's target, the HTTP
// request it encodes, the headers it may read, and the stream decoder it implements. Adapters
// (providers/) and the transport build on these; none of them is needed to define them.
import type { CompiledBackend, CompiledCredential } from '@switchyard/compiler';
import type { UnifiedStreamEvent } from './stream-events.js';

/** What one upstream attempt targets: the backend, the credential picked for it, route defaults. */
export interface BackendTarget {
  backend: CompiledBackend;
  credential: CompiledCredential | undefined;
  /** Sent as max_tokens when the provider requires one and the caller gave none. */
  defaultMaxTokens: number;
}

export interface UpstreamHttpRequest {
  url: string;
  /** Providers use POST and GET; OpenAPI hosted tools (mcp/openapi-upstream.ts) any method an operation names. */
  method: 'POST' | 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export type UpstreamHeaders = Record<string, string | string[] | undefined>;

/**
 * Turns raw upstream stream bytes into unified events. Framing (SSE, AWS event-stream) and
 * provider semantics both live behind it. Throws UpstreamFailure for an error the provider
 * reports inside the stream.
 */
export interface StreamDecoder {
  push(chunk: Uint8Array): UnifiedStreamEvent[];
  /** Called once at end of input; throws if the stream was cut before it completed. */
  end(): UnifiedStreamEvent[];
}
