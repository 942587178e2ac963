// What a front door is to the rest of the gateway: the codecs that translate its wire format to
// and from the unified model, and the endpoints it declares (which operation runs on which
// method and path). The server routes by these declarations; the pipeline runs the operations.
import type { IncomingHttpHeaders } from 'node:http';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../unified/chat-response.js';
import type {
  CallerFormat,
  CountTokensCodec,
  EncodedError,
  FrontDoorContext,
  FrontDoorStreamEncoder,
  ModelListCodec,
} from '../unified/front-door-codec.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { UnifiedModerationsRequest, UnifiedModerationsResponse } from '../unified/moderations.js';
import type { UnifiedRerankRequest, UnifiedRerankResponse } from '../unified/rerank.js';
import type { UnifiedImageRequest, UnifiedImageResponse } from '../unified/images.js';
import type { AudioEndpoint } from '../unified/audio.js';

export interface ChatFrontDoor {
  readonly format: CallerFormat;
  /**
   * Throws (or rejects with) GatewayError('invalid_request', message naming the field, param) on
   * bad input. Synchronous unless decoding needs stored state (the Responses front door's
   * `previous_response_id` lookup), so other front doors cost no extra await.
   */
  decodeChatRequest(body: unknown, context: FrontDoorContext): UnifiedChatRequest | Promise<UnifiedChatRequest>;
  /** `requestedModel` is the public name the caller used; replies echo it. */
  encodeChatResponse(response: UnifiedChatResponse, requestedModel: string, context: FrontDoorContext): string;
  createStreamEncoder(requestedModel: string, context: FrontDoorContext): FrontDoorStreamEncoder;
  encodeError(error: GatewayError): EncodedError;
}

export interface EmbeddingsFrontDoor {
  decodeEmbeddingsRequest(body: unknown, context: FrontDoorContext): UnifiedEmbeddingsRequest;
  encodeEmbeddingsResponse(response: UnifiedEmbeddingsResponse, requestedModel: string, context: FrontDoorContext): string;
}

/** OpenAI's /v1/moderations: the one format with a moderations API. */
export interface ModerationsFrontDoor {
  decodeModerationsRequest(body: unknown, context: FrontDoorContext): UnifiedModerationsRequest;
  encodeModerationsResponse(response: UnifiedModerationsResponse, requestedModel: string): string;
}

/** /v1/rerank (and Cohere's /v2/rerank path): the rerank shape Cohere, Jina and vLLM share. */
export interface RerankFrontDoor {
  decodeRerankRequest(body: unknown, context: FrontDoorContext): UnifiedRerankRequest;
  /** `request` gives the caller's model name and the documents a `return_documents` answer echoes; `id` stands in when the upstream gave none. */
  encodeRerankResponse(response: UnifiedRerankResponse, request: UnifiedRerankRequest, id: string): string;
}

/** OpenAI's Images API: /v1/images/generations (JSON) and /v1/images/edits (multipart). */
export interface ImagesFrontDoor {
  decodeImageGenerationRequest(body: unknown): UnifiedImageRequest;
  /** `form`: the multipart body, parsed (bounded by --max-body-bytes). */
  decodeImageEditRequest(form: FormData): Promise<UnifiedImageRequest>;
  encodeImageResponse(response: UnifiedImageResponse): string;
}

/** What a parameterized path contributes to the front-door context. */
export type PathMatch = Pick<FrontDoorContext, 'pathModel' | 'pathStream'>;

/**
 * An exact path, or a prefix plus a parser for paths that carry a parameter (Gemini's
 * `models/{model}:generateContent`) and one path the parser accepts, so tests can reach every
 * declared endpoint without knowing its parameters.
 */
export type EndpointPath = string | { readonly prefix: string; match(rest: string): PathMatch | undefined; readonly example: string };

/**
 * One endpoint of a front door: where it is served and which pipeline operation runs it. The
 * operation decides which stages run (docs/architecture.md, "The request pipeline"); `frontDoor` answers errors
 * in the caller's format, and the codec fields translate the operation's request and answer.
 */
/** The MCP endpoint's front door: it only renders errors; the MCP messages are the operation's (pipeline/mcp-operation.ts). */
export type McpFrontDoor = Pick<ChatFrontDoor, 'encodeError'>;

export type FrontDoorEndpoint =
  | { readonly method: 'POST'; readonly path: EndpointPath; readonly operation: 'chat'; readonly frontDoor: ChatFrontDoor }
  | {
      readonly method: 'POST';
      readonly path: EndpointPath;
      readonly operation: 'embeddings';
      readonly frontDoor: ChatFrontDoor & EmbeddingsFrontDoor;
    }
  | {
      readonly method: 'POST';
      readonly path: EndpointPath;
      readonly operation: 'moderations';
      readonly frontDoor: ChatFrontDoor & ModerationsFrontDoor;
    }
  | {
      readonly method: 'POST';
      readonly path: EndpointPath;
      readonly operation: 'rerank';
      readonly frontDoor: ChatFrontDoor & RerankFrontDoor;
    }
  | {
      readonly method: 'POST';
      readonly path: EndpointPath;
      readonly operation: 'images';
      /** Which Images endpoint: its body is JSON (generate) or multipart (edit). */
      readonly images: 'generate' | 'edit';
      readonly frontDoor: ChatFrontDoor & ImagesFrontDoor;
    }
  | {
      readonly method: 'POST';
      readonly path: EndpointPath;
      /** /v1/audio/{transcriptions,translations,speech}: multipart or JSON in, passed through to OpenAI-shape upstreams. */
      readonly operation: AudioEndpoint;
      readonly frontDoor: ChatFrontDoor;
    }
  | {
      readonly method: 'POST';
      readonly path: EndpointPath;
      readonly operation: 'count-tokens';
      readonly frontDoor: ChatFrontDoor;
      readonly codec: CountTokensCodec;
    }
  | {
      readonly method: 'GET';
      readonly path: EndpointPath;
      readonly operation: 'list-models' | 'get-model';
      readonly frontDoor: ChatFrontDoor;
      readonly codec: ModelListCodec;
    }
  | { readonly method: 'POST' | 'GET'; readonly path: EndpointPath; readonly operation: 'mcp'; readonly frontDoor: McpFrontDoor }
  | { readonly method: 'POST'; readonly path: EndpointPath; readonly operation: 'mcp'; readonly frontDoor: McpFrontDoor }
  | {
      /** OpenAI's /v1/files and /v1/batches (pipeline/batches/): objects held upstream, reached by the gateway's ids. */
      readonly method: 'GET' | 'POST' | 'DELETE';
      readonly path: EndpointPath;
      readonly operation: 'files' | 'batches';
      readonly frontDoor: ChatFrontDoor;
    }
  /** A WebSocket upgrade (server/realtime-upgrade.ts); the door renders refusals of the upgrade request. */
  | {
      readonly method: 'GET';
      readonly path: EndpointPath;
      readonly operation: 'realtime';
      readonly frontDoor: Pick<ChatFrontDoor, 'encodeError'>;
    };

export type EndpointOperation = FrontDoorEndpoint['operation'];

/** A front door as the server sees it: its endpoints, and how it answers paths it does not serve. */
export interface FrontDoorDeclaration {
  readonly endpoints: readonly FrontDoorEndpoint[];
  /**
   * Paths under this root that no endpoint claims are answered with a 404 in this front door's
   * format (`/anthropic/`, `/genai/`). Undefined: the door claims no root of its own.
   */
  readonly root?: string;
  /** Renders the 404s under `root`. */
  readonly encodeError: ChatFrontDoor['encodeError'];
  /** A more helpful 404 message for a path under `root`; undefined keeps the generic one. */
  unknownPathMessage?(method: string, path: string): string | undefined;
  /** Moves a credential the format accepts elsewhere (Gemini's `?key=`) into the headers authenticate reads. */
  adoptCredentials?(headers: IncomingHttpHeaders, query: URLSearchParams | undefined): void;
}

/** A path segment percent-decoded; a malformed escape keeps the raw text. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `{prefix}{id}` or `{prefix}{id}/{action}` (the id and action read by the operation from the URL): files and batches. */
export function objectIdPath(prefix: string, action: string | undefined): EndpointPath {
  const shape = action === undefined ? /^[^/]+$/ : new RegExp(`^[^/]+/${action}$`);
  return {
    prefix,
    match: (rest: string) => (shape.test(rest) ? {} : undefined),
    example: `${prefix}file-example${action === undefined ? '' : `/${action}`}`,
  };
}

/** `{prefix}{id}` with a non-empty id (decoded into `pathModel`): the get-model endpoints. */
export function modelIdPath(prefix: string, accept: (rest: string) => boolean = () => true): EndpointPath {
  return {
    prefix,
    match: (rest: string) => (rest.length > 0 && accept(rest) ? { pathModel: decodePathSegment(rest) } : undefined),
    example: `${prefix}example-model`,
  };
}
