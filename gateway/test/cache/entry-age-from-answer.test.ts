// A cache entry's age and ttl count from the moment the answer was complete, not from when the
// store (which runs after the caller has the answer) got its turn: a store delayed by load must
// not make an entry younger or longer-lived than the answer it holds.
import { describe, expect, it } from '@jest/globals';
import { emptyUsage } from '@switchyard/compiler';
import type { CachedAnswer } from '../../src/cache/cached-answer.js';
import type { ResponseCache } from '../../src/cache/response-cache.js';
import { CacheSession } from '../../src/pipeline/cache-lookup.js';
import type { Exchange } from '../../src/pipeline/exchange.js';
import type { UnifiedChatResponse } from '../../src/unified/chat-response.js';

const answer: UnifiedChatResponse = {
  id: 'chatcmpl-1',
  model: 'm',
  created: 1,
  content: [{ type: 'text', text: 'cached' }],
  finishReason: 'stop',
  usage: emptyUsage(),
};

function recordingStore(): { store: ResponseCache; puts: { answer: CachedAnswer; ttlMs: number }[] } {
  const puts: { answer: CachedAnswer; ttlMs: number }[] = [];
  return {
    puts,
    store: {
      get: async () => undefined,
      put: async (_key, cached, ttlMs) => {
        puts.push({ answer: cached, ttlMs });
        return true;
      },
      close: async () => undefined,
    },
  };
}

const exchange = { backend: 'default/route/backend', status: 200 } as unknown as Exchange;

describe('cache entry age and ttl', () => {
  it.each([
    ['the store runs at once', 0, 300_000],
    ['the store waits 2 s for its turn', 2_000, 298_000],
    ['the store waits 299 s', 299_000, 1_000],
  ])('%s: stored at the answer time, with the rest of the ttl', async (_what, storeDelayMs, remainingMs) => {
    let now = 1_000_000;
    const { store, puts } = recordingStore();
    const session = new CacheSession({ store, nowMs: () => now }, 'key', 300_000, true, undefined);
    session.noteAnswered();
    now += storeDelayMs;
    await session.store(exchange, answer);
    expect(puts).toEqual([{ answer: expect.objectContaining({ storedAtMs: 1_000_000 }), ttlMs: remainingMs }]);
  });

  it('stores nothing when the ttl ran out before the store got its turn', async () => {
    let now = 1_000_000;
    const { store, puts } = recordingStore();
    const session = new CacheSession({ store, nowMs: () => now }, 'key', 300_000, true, undefined);
    session.noteAnswered();
    now += 300_000;
    await session.store(exchange, answer);
    expect(puts).toEqual([]);
  });
});
