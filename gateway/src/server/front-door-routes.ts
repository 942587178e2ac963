// Which front door serves which path. Adding a front door (Anthropic Messages, Gemini, OpenAI
// Responses) is one entry here: an exact path, or a prefix plus a parser for paths that carry
// a parameter (Gemini's `models/{model}:generateContent`).
import type { ChatFrontDoor, EmbeddingsFrontDoor } from '../frontdoors/front-door.js';
import type { FrontDoorContext } from '../unified/front-door-codec.js';
import { anthropicMessagesFrontDoor } from '../frontdoors/anthropic-messages/index.js';
import { geminiFrontDoorRoutes } from '../frontdoors/gemini/index.js';
import { openAIChatFrontDoor } from '../frontdoors/openai-chat/index.js';
import { createOpenAIResponsesFrontDoor, InMemoryResponseStore } from '../frontdoors/openai-responses/index.js';

export type FrontDoorBinding =
  | { operation: 'chat'; frontDoor: ChatFrontDoor }
  | { operation: 'embeddings'; frontDoor: ChatFrontDoor & EmbeddingsFrontDoor };

/** What a parameterized path contributes to the front-door context. */
export type PathMatch = Pick<FrontDoorContext, 'pathModel' | 'pathStream'>;

export type FrontDoorPath = string | { prefix: string; match(rest: string): PathMatch | undefined };

export interface FrontDoorRoute {
  path: FrontDoorPath;
  binding: FrontDoorBinding;
}

export interface FrontDoorRouteOptions {
  /**
   * The Responses front door, built at start-up with the store the gateway is configured for
   * (Redis with --redis-url). Default: one with its own in-memory store.
   */
  responses?: ChatFrontDoor;
}

/** The route table; each call builds its own (a Responses front door holds conversation state). */
export function createFrontDoorRoutes(options: FrontDoorRouteOptions = {}): FrontDoorRoute[] {
  const responses = options.responses ?? createOpenAIResponsesFrontDoor({ store: new InMemoryResponseStore() });
  return [
    { path: '/v1/chat/completions', binding: { operation: 'chat', frontDoor: openAIChatFrontDoor } },
    { path: '/v1/embeddings', binding: { operation: 'embeddings', frontDoor: openAIChatFrontDoor } },
    { path: '/v1/responses', binding: { operation: 'chat', frontDoor: responses } },
    { path: '/anthropic/v1/messages', binding: { operation: 'chat', frontDoor: anthropicMessagesFrontDoor } },
    // POST /genai/{v1beta,v1}/models/{model}:generateContent | :streamGenerateContent | :embedContent | :batchEmbedContents
    ...geminiFrontDoorRoutes,
  ];
}

/** Errors on paths no front door claims (404s, /v1/models) use the OpenAI shape. */
export const defaultErrorEncoder: ChatFrontDoor['encodeError'] = (error) => openAIChatFrontDoor.encodeError(error);
