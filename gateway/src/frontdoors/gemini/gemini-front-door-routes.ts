// The Gemini front door's entries for server/front-door-routes.ts: one prefix per API version,
// each method its own route so the router hands the pipeline the right binding. The SDKs default
// to v1beta (DESIGN.md); v1 is served the same way for clients pinned to it.

import type { FrontDoorRoute, PathMatch } from '../../server/front-door-routes.js';
import { geminiBatchEmbedFrontDoor, geminiFrontDoor } from './gemini-front-door.js';
import { parseGeminiModelPath, type GeminiMethod } from './gemini-model-path.js';

export const GEMINI_PATH_PREFIXES = ['/genai/v1beta/models/', '/genai/v1/models/'] as const;

function matchMethods(methods: readonly GeminiMethod[]): (rest: string) => PathMatch | undefined {
  return (rest) => {
    const parsed = parseGeminiModelPath(rest);
    if (parsed === undefined || !methods.includes(parsed.method)) return undefined;
    return { pathModel: parsed.model, pathStream: parsed.method === 'streamGenerateContent' };
  };
}

export const geminiFrontDoorRoutes: FrontDoorRoute[] = GEMINI_PATH_PREFIXES.flatMap((prefix): FrontDoorRoute[] => [
  { path: { prefix, match: matchMethods(['generateContent', 'streamGenerateContent']) }, binding: { operation: 'chat', frontDoor: geminiFrontDoor } },
  { path: { prefix, match: matchMethods(['embedContent']) }, binding: { operation: 'embeddings', frontDoor: geminiFrontDoor } },
  { path: { prefix, match: matchMethods(['batchEmbedContents']) }, binding: { operation: 'embeddings', frontDoor: geminiBatchEmbedFrontDoor } },
]);
