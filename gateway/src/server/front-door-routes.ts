// The front doors the public port serves, each declaring its own endpoints
// (frontdoors/front-door.ts). Adding a front door is one entry here.
import { anthropicFrontDoorDeclaration } from '../frontdoors/anthropic-messages/index.js';
import type { ChatFrontDoor, FrontDoorDeclaration } from '../frontdoors/front-door.js';
import { geminiFrontDoorDeclaration } from '../frontdoors/gemini/index.js';
import { mcpFrontDoorDeclaration } from '../frontdoors/mcp/index.js';
import { openAIChatFrontDoorDeclaration } from '../frontdoors/openai-chat/index.js';
import {
  createOpenAIResponsesFrontDoor,
  InMemoryResponseStore,
  openAIResponsesFrontDoorDeclaration,
} from '../frontdoors/openai-responses/index.js';

export interface FrontDoorRouteOptions {
  /**
   * The Responses front door, built at start-up with the store the gateway is configured for
   * (Redis with --redis-url). Default: one with its own in-memory store.
   */
  responses?: ChatFrontDoor;
}

/**
 * The front doors; each call builds its own (a Responses front door holds conversation state).
 * The first, the OpenAI door, also answers paths no front door claims.
 */
export function createFrontDoorRoutes(options: FrontDoorRouteOptions = {}): FrontDoorDeclaration[] {
  const responses = options.responses ?? createOpenAIResponsesFrontDoor({ store: new InMemoryResponseStore() });
  return [
    openAIChatFrontDoorDeclaration,
    openAIResponsesFrontDoorDeclaration(responses),
    anthropicFrontDoorDeclaration,
    geminiFrontDoorDeclaration,
    mcpFrontDoorDeclaration,
  ];
}
