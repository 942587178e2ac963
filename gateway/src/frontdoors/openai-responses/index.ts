// The OpenAI Responses front door: `POST /v1/responses`, so the official OpenAI SDKs'
// `client.responses.create` / `client.responses.stream` work against any provider with only
// their base URL changed. Requests decode into the unified model; answers, streams and errors
// are written in the Responses API's shapes whatever provider answered.
//
// Conversation state: a finished response is kept in a short-lived response store (unless the
// caller sent `store: false`) so a later request can continue it with `previous_response_id`.
// Entries are scoped to the virtual key that created them. The store is in this process by
// default and in Redis with --redis-url (shared by every replica); see
// docs/frontdoors/responses.md.

import { GatewayError } from '../../errors/gateway-error.js';
import {
  createResponsesEnvelope,
  decodeResponsesRequest,
  encodeResponsesResponse,
  ResponsesStreamEncoder,
  type DecodedResponsesRequest,
  type ResponsesEnvelope,
  type ResponsesOutputOptions,
} from '../../wire/openai-responses/index.js';
import type { UnifiedChatRequest } from '../../unified/chat-request.js';
import type { OutputPart, UnifiedChatResponse } from '../../unified/chat-response.js';
import type { EncodedError, FrontDoorContext, FrontDoorStreamEncoder } from '../../unified/front-door-codec.js';
import { encodeOpenAIError } from '../../wire/openai-chat/index.js';
import type { ChatFrontDoor, FrontDoorDeclaration } from '../front-door.js';
import type { ResponseStore, StoredResponse } from './response-store.js';
import { continueConversation, storeScopeOf, storedConversation, type ConversationTurn } from './responses-conversation.js';

interface OpenAIResponsesFrontDoorOptions {
  store: ResponseStore;
  /** Clock for `created_at`, for tests. */
  now?: () => number;
}

/** What decoding learned that encoding needs: the echo, and the turn to store afterwards. */
interface ResponsesExchange {
  envelope: ResponsesEnvelope;
  output: ResponsesOutputOptions;
  /** Undefined when nothing is stored (store: false, or no key scope). */
  turn: ConversationTurn | undefined;
}

export function createOpenAIResponsesFrontDoor(options: OpenAIResponsesFrontDoorOptions): ChatFrontDoor {
  const { store } = options;
  const now = options.now ?? Date.now;
  const exchanges = new WeakMap<FrontDoorContext, ResponsesExchange>();

  const exchangeFor = (context: FrontDoorContext, requestedModel: string): ResponsesExchange => {
    const exchange = exchanges.get(context);
    // Encoding always follows a successful decode of the same context; anything else is a bug.
    if (exchange === undefined) throw new GatewayError('internal', 'responses front door: no decoded request for this response');
    return { ...exchange, envelope: { ...exchange.envelope, model: requestedModel } };
  };

  // Called while the answer is encoded, before its bytes are written to the caller. The store
  // issues its write before `put` returns and is not awaited: a caller can only continue a
  // response after reading it, so the write is ahead of any follow-up, on this replica or
  // another (see redis-response-store.ts). A store reports its own failures.
  const remember = (exchange: ResponsesExchange, id: string, output: OutputPart[]): void => {
    if (exchange.turn !== undefined) void store.put(exchange.turn.scope, exchange.turn.finish(id, output));
  };

  const begin = (
    decoded: DecodedResponsesRequest,
    scope: string | undefined,
    previous: StoredResponse | undefined,
    context: FrontDoorContext,
  ): UnifiedChatRequest => {
    const { request, turn } = continueConversation(decoded, scope, previous);
    exchanges.set(context, {
      envelope: createResponsesEnvelope(decoded, request.model, Math.floor(now() / 1000)),
      output: { includeEncryptedReasoning: decoded.includeEncryptedReasoning },
      turn: decoded.store ? turn : undefined,
    });
    return request;
  };

  return {
    format: 'openai-responses',

    // Only a continuation waits for the store; a first turn decodes synchronously.
    decodeChatRequest(body: unknown, context: FrontDoorContext): UnifiedChatRequest | Promise<UnifiedChatRequest> {
      const decoded = decodeResponsesRequest(body);
      const scope = storeScopeOf(context);
      const previous = decoded.previousResponseId;
      if (previous === undefined) return begin(decoded, scope, undefined, context);
      return storedConversation(previous, scope, store).then((stored) => begin(decoded, scope, stored, context));
    },

    encodeChatResponse(response: UnifiedChatResponse, requestedModel: string, context: FrontDoorContext): string {
      const exchange = exchangeFor(context, requestedModel);
      const encoded = encodeResponsesResponse(exchange.envelope, response, exchange.output);
      if (encoded.status !== 'failed') remember(exchange, encoded.id, response.content);
      return JSON.stringify(encoded);
    },

    createStreamEncoder(requestedModel: string, context: FrontDoorContext): FrontDoorStreamEncoder {
      const exchange = exchangeFor(context, requestedModel);
      return new ResponsesStreamEncoder(exchange.envelope, exchange.output, ({ response, content }) =>
        remember(exchange, response.id, content),
      );
    },

    encodeError(error: GatewayError): EncodedError {
      return encodeOpenAIError(error);
    },
  };
}

/** `POST /v1/responses`, served by a front door built with the store the gateway is configured for. */
export function openAIResponsesFrontDoorDeclaration(frontDoor: ChatFrontDoor): FrontDoorDeclaration {
  return { endpoints: [{ method: 'POST', path: '/v1/responses', operation: 'chat', frontDoor }], encodeError: encodeOpenAIError };
}

export { InMemoryResponseStore } from './response-store.js';
export { RedisResponseStore } from './redis-response-store.js';
