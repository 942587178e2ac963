// What of a chat request the semantic cache compares by meaning and what it keys exactly
// (docs/cache.md, "Semantic lookup"). Only the text of the last user turn is embedded; everything
// else that shapes the answer (system prompt, earlier turns, tools and tool results, sampling and
// format parameters, the model, the scope, the route and the embedding route) goes into the
// partition digest, so two requests can share an answer only when all of that is identical.
// A request the rules keep out gets a reason instead, for the log line.
import { createHash } from 'node:crypto';
import { canonicalJson, type CompiledSemanticCache } from '@switchyard/compiler';
import type { UnifiedChatRequest, UnifiedMessage } from '../../unified/chat-request.js';
import { cacheScopeId, semanticContent, type CacheKeyInput } from '../cache-key.js';

/** Why a request is not looked up or stored semantically (its exact lookup still happens). */
type SemanticSkipReason =
  /** The last turn carries tool results: data the model must read exactly, where a near match is a wrong answer. */
  | 'tool_results'
  /** The last message is not a user message (an assistant prefill, a lone system message). */
  | 'not_user_turn'
  /** The last user turn has images, documents or audio: the embedding sees only text. */
  | 'non_text_turn'
  /** Temperature above the route's maxTemperature: the caller asked for variety. */
  | 'temperature'
  /** Longer than maxTurnChars: one changed number in a long text barely moves its embedding. */
  | 'long_turn'
  /** No text to compare. */
  | 'empty_turn';

export type SemanticRequest = { partition: string; text: string } | { skip: SemanticSkipReason };

export function semanticRequest(input: CacheKeyInput, policy: CompiledSemanticCache): SemanticRequest {
  const { request } = input;
  const messages = request.messages;
  const last = messages.at(-1);
  if (last === undefined) return { skip: 'empty_turn' };
  if (lastTurnHasToolResults(messages)) return { skip: 'tool_results' };
  if (last.role !== 'user') return { skip: 'not_user_turn' };
  if (last.content.some((part) => part.type !== 'text')) return { skip: 'non_text_turn' };
  if (request.temperature !== undefined && request.temperature > policy.maxTemperature) return { skip: 'temperature' };
  const text = last.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  if (text.trim() === '') return { skip: 'empty_turn' };
  if (text.length > policy.maxTurnChars) return { skip: 'long_turn' };
  return { partition: partitionDigest(input, policy, request, last), text };
}

/**
 * Tool results belong to the turn that answers the model's tool calls: the messages after the
 * last assistant message. Front doors may put them in `tool` messages or in user messages.
 */
function lastTurnHasToolResults(messages: readonly UnifiedMessage[]): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as UnifiedMessage;
    if (message.role === 'assistant') return false;
    if (message.role === 'tool' || message.content.some((part) => part.type === 'tool_result')) return true;
  }
  return false;
}

/** Everything but the last user turn's text: the earlier messages whole, and the last one's role and name. */
function partitionDigest(input: CacheKeyInput, policy: CompiledSemanticCache, request: UnifiedChatRequest, last: UnifiedMessage): string {
  const history = { ...request, messages: request.messages.slice(0, -1) };
  const material = canonicalJson({
    v: 1,
    kind: 'semantic',
    scope: cacheScopeId(input),
    route: input.routeId,
    // Vectors of two embedding models are not comparable: a route that changes its model starts afresh.
    embeddingRoute: policy.embeddingRouteId,
    request: semanticContent(history),
    lastTurn: { role: last.role, name: last.name ?? null },
  });
  return createHash('sha256').update(material, 'utf8').digest('hex');
}
