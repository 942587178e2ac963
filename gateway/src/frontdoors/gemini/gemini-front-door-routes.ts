// The Gemini front door's endpoints: one prefix per API version, each method its own endpoint so
// the router hands the pipeline the right operation. The SDKs default to v1beta; v1 is served
// the same way for clients pinned to it. Every other path under /genai/ is a 404 in Google's shape.

import { encodeGoogleError, geminiCountTokensCodec, geminiModelListCodec } from '../../wire/gemini/index.js';
import type { EndpointPath, FrontDoorDeclaration, FrontDoorEndpoint, PathMatch } from '../front-door.js';
import { modelIdPath } from '../front-door.js';
import { geminiBatchEmbedFrontDoor, geminiFrontDoor } from './gemini-front-door.js';
import { parseGeminiModelPath, type GeminiMethod } from './gemini-model-path.js';
import { adoptGoogleQueryKey } from './google-query-key.js';

const GEMINI_PATH_PREFIXES = ['/genai/v1beta/models/', '/genai/v1/models/'] as const;
const GEMINI_ROOT = '/genai/';

function methodsPath(prefix: string, methods: readonly [GeminiMethod, ...GeminiMethod[]]): EndpointPath {
  return {
    prefix,
    match(rest: string): PathMatch | undefined {
      const parsed = parseGeminiModelPath(rest);
      if (parsed === undefined || !methods.includes(parsed.method)) return undefined;
      return { pathModel: parsed.model, pathStream: parsed.method === 'streamGenerateContent' };
    },
    example: `${prefix}example-model:${methods[0]}`,
  };
}

const noMethod = (rest: string): boolean => !rest.includes(':');

function versionEndpoints(prefix: string): FrontDoorEndpoint[] {
  return [
    {
      method: 'POST',
      path: methodsPath(prefix, ['generateContent', 'streamGenerateContent']),
      operation: 'chat',
      frontDoor: geminiFrontDoor,
    },
    { method: 'POST', path: methodsPath(prefix, ['embedContent']), operation: 'embeddings', frontDoor: geminiFrontDoor },
    {
      method: 'POST',
      path: methodsPath(prefix, ['batchEmbedContents']),
      operation: 'embeddings',
      frontDoor: geminiBatchEmbedFrontDoor,
    },
    {
      method: 'POST',
      path: methodsPath(prefix, ['countTokens']),
      operation: 'count-tokens',
      frontDoor: geminiFrontDoor,
      codec: geminiCountTokensCodec,
    },
    { method: 'GET', path: prefix.slice(0, -1), operation: 'list-models', frontDoor: geminiFrontDoor, codec: geminiModelListCodec },
    { method: 'GET', path: modelIdPath(prefix, noMethod), operation: 'get-model', frontDoor: geminiFrontDoor, codec: geminiModelListCodec },
  ];
}

export const geminiFrontDoorDeclaration: FrontDoorDeclaration = {
  endpoints: GEMINI_PATH_PREFIXES.flatMap(versionEndpoints),
  root: GEMINI_ROOT,
  encodeError: encodeGoogleError,
  unknownPathMessage(_method, path) {
    for (const prefix of GEMINI_PATH_PREFIXES) {
      if (path.startsWith(prefix) && path.length > prefix.length && !noMethod(path.slice(prefix.length))) {
        return `unknown method in ${path}: the gateway serves generateContent, streamGenerateContent, countTokens, embedContent and batchEmbedContents`;
      }
    }
    return undefined;
  },
  adoptCredentials: adoptGoogleQueryKey,
};
