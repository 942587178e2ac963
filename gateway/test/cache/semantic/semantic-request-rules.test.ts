// What of a request the semantic cache compares and what it keys exactly (docs/cache.md, "The
// rules, and why"): each rule that keeps a request out, with its reason; the partition changing
// with everything but the last user turn's text, and only the text being embedded.
import type { CompiledSemanticCache } from '@switchyard/compiler';
import { describe, expect, it } from '@jest/globals';
import type { CacheKeyInput } from '../../../src/cache/cache-key.js';
import { semanticRequest } from '../../../src/cache/semantic/semantic-request.js';
import type { UnifiedChatRequest, UnifiedMessage } from '../../../src/unified/chat-request.js';

const policy: CompiledSemanticCache = {
  embeddingRouteId: 'default/embedder',
  threshold: 0.9,
  maxEntriesPerPartition: 256,
  maxTemperature: 1,
  maxTurnChars: 100,
};

const user = (text: string): UnifiedMessage => ({ role: 'user', content: [{ type: 'text', text }] });

function input(request: Partial<UnifiedChatRequest>, overrides: Partial<CacheKeyInput> = {}): CacheKeyInput {
  return {
    scope: 'VirtualKey',
    keyId: 'default/k',
    keyNamespace: 'default',
    routeId: 'default/chat',
    request: { model: 'chat', stream: false, messages: [user('How do I sort a list?')], ...request },
    ...overrides,
  };
}

function partition(request: Partial<UnifiedChatRequest>, overrides: Partial<CacheKeyInput> = {}, semantic = policy): string {
  const result = semanticRequest(input(request, overrides), semantic);
  if (!('partition' in result)) throw new Error(`skipped: ${result.skip}`);
  return result.partition;
}

describe('semantic request rules', () => {
  it('embeds only the last user turn, its text parts joined', () => {
    const result = semanticRequest(
      input({
        messages: [
          user('earlier'),
          { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
        ],
      }),
      policy,
    );
    expect(result).toMatchObject({ text: 'a\nb' });
  });

  const skipped: { name: string; request: Partial<UnifiedChatRequest>; reason: string }[] = [
    {
      name: 'a tool message after the last assistant message',
      request: {
        messages: [
          user('weather?'),
          { role: 'assistant', content: [{ type: 'tool_call', id: 'c', name: 'w', arguments: '{}' }] },
          { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c', content: [{ type: 'text', text: 'sunny' }] }] },
          user('umbrella?'),
        ],
      },
      reason: 'tool_results',
    },
    {
      name: 'tool results inside the last user turn',
      request: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'tool_result', toolCallId: 'c', content: [] },
              { type: 'text', text: 'and?' },
            ],
          },
        ],
      },
      reason: 'tool_results',
    },
    {
      name: 'an assistant prefill last',
      request: { messages: [user('q'), { role: 'assistant', content: [{ type: 'text', text: 'Sure' }] }] },
      reason: 'not_user_turn',
    },
    {
      name: 'an image in the last turn',
      request: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this?' },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } },
            ],
          },
        ],
      },
      reason: 'non_text_turn',
    },
    { name: 'temperature above the ceiling', request: { temperature: 1.2 }, reason: 'temperature' },
    { name: 'a turn longer than maxTurnChars', request: { messages: [user('x'.repeat(101))] }, reason: 'long_turn' },
    { name: 'an empty turn', request: { messages: [user('   ')] }, reason: 'empty_turn' },
    { name: 'no messages', request: { messages: [] }, reason: 'empty_turn' },
  ];
  it.each(skipped)('skips $name ($reason)', ({ request, reason }) => {
    expect(semanticRequest(input(request), policy)).toEqual({ skip: reason });
  });

  it('allows the ceiling itself, no temperature, and a turn of exactly maxTurnChars', () => {
    expect('partition' in semanticRequest(input({ temperature: 1 }), policy)).toBe(true);
    expect('partition' in semanticRequest(input({}), policy)).toBe(true);
    expect('partition' in semanticRequest(input({ messages: [user('x'.repeat(100))] }), policy)).toBe(true);
  });

  it('the partition ignores the last turn text and the stream flag, and follows everything else', () => {
    const base = partition({});
    expect(partition({ messages: [user('something else entirely')] })).toBe(base);
    expect(partition({ stream: true })).toBe(base);
    const differing = [
      partition({
        messages: [user('earlier'), { role: 'assistant', content: [{ type: 'text', text: 'ok' }] }, user('How do I sort a list?')],
      }),
      partition({ messages: [{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }, user('How do I sort a list?')] }),
      partition({ temperature: 0.3 }),
      partition({ maxOutputTokens: 64 }),
      partition({ tools: [{ name: 't', parameters: { type: 'object' } }] }),
      partition({ responseFormat: { type: 'json_object' } }),
      partition({ model: 'chat-alias' }),
      partition({}, { keyId: 'default/other' }),
      partition({}, { scope: 'Namespace' }),
      partition({}, { scope: 'Namespace', keyNamespace: 'team-b' }),
      partition({}, { routeId: 'default/other' }),
      partition({}, {}, { ...policy, embeddingRouteId: 'default/other-embedder' }),
      partition({ messages: [{ role: 'user', name: 'alice', content: [{ type: 'text', text: 'How do I sort a list?' }] }] }),
    ];
    for (const other of differing) expect(other).not.toBe(base);
    expect(new Set(differing).size).toBe(differing.length);
  });
});
