// The exact-cache key: SHA-256 over the canonical JSON of who may share the answer (the key, or
// the key's namespace), the route, and what the request asks (its semantic content). Transport
// details are left out so that a streamed and a whole answer, or a question asked through two
// front doors, land on the same entry. The digest is the only thing stored about the prompt.
import { createHash } from 'node:crypto';
import { canonicalJson, type CacheScope } from '@switchyard/compiler';
import type { UnifiedChatRequest } from '../unified/chat-request.js';

export interface CacheKeyInput {
  scope: CacheScope;
  /** `namespace/name` of the calling key. */
  keyId: string;
  keyNamespace: string;
  routeId: string;
  request: UnifiedChatRequest;
}

/** Who shares an entry. The namespace is always in it, so answers never cross tenants. */
export function cacheScopeId(input: Pick<CacheKeyInput, 'scope' | 'keyId' | 'keyNamespace'>): string {
  return input.scope === 'Namespace' ? `namespace:${input.keyNamespace}` : `key:${input.keyId}`;
}

/** The request without what only concerns delivery: stream flags, end-user identifiers and routing hints. */
export function semanticContent(request: UnifiedChatRequest): Record<string, unknown> {
  const { stream: _stream, user: _user, routingHints: _routingHints, providerOptions, ...content } = request;
  const kept: Record<string, unknown> = { ...content };
  // Anthropic `metadata` only carries the end-user id; Gemini safety settings change the answer.
  if (providerOptions?.gemini !== undefined) kept.providerOptions = { gemini: providerOptions.gemini };
  return kept;
}

export function responseCacheKey(input: CacheKeyInput): string {
  const material = canonicalJson({ v: 1, scope: cacheScopeId(input), route: input.routeId, request: semanticContent(input.request) });
  return createHash('sha256').update(material, 'utf8').digest('hex');
}
