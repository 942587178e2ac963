// The mock provider: deterministic answers, word-by-word streams, scheduled failures, usage of
// one token per four characters, forced tool calls and hash-derived embeddings.
import { describe, expect, it } from '@jest/globals';
import type { CompiledBackend } from '@switchyard/compiler';
import { mockAdapter } from '../../src/providers/mock/index.js';
import type { BackendTarget } from '../../src/unified/provider-codec.js';
import { UpstreamFailure } from '../../src/errors/upstream-failure.js';
import type { UnifiedChatRequest } from '../../src/unified/chat-request.js';
import type { UnifiedStreamEvent } from '../../src/unified/stream-events.js';

function target(mock: CompiledBackend['mock'] = { latencyMs: 0, failureRate: 0 }): BackendTarget {
  return {
    backend: { name: 'mock-backend', provider: 'mock', model: 'mock-model', baseURL: '', credentials: [], priority: 0, weight: 1, mock },
    credential: undefined,
    defaultMaxTokens: 4096,
  };
}

function chat(text: string, extra: Partial<UnifiedChatRequest> = {}): UnifiedChatRequest {
  return {
    model: 'public-name',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'be brief' }] },
      { role: 'user', content: [{ type: 'text', text }] },
    ],
    stream: false,
    ...extra,
  };
}

const signal = new AbortController().signal;

async function collect(events: AsyncIterable<UnifiedStreamEvent>): Promise<UnifiedStreamEvent[]> {
  const out: UnifiedStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('mock provider', () => {
  it.each([
    ['echoes the last user message', undefined, 'ping', 'Mock reply to: ping'],
    ['answers the configured response', 'Fixed answer.', 'ping', 'Fixed answer.'],
  ])('%s', async (_label, response, text, expected) => {
    const answer = await mockAdapter.complete(
      chat(text),
      target({ latencyMs: 0, failureRate: 0, ...(response === undefined ? {} : { response }) }),
      signal,
    );
    expect(answer.content).toEqual([{ type: 'text', text: expected }]);
    expect(answer.finishReason).toBe('stop');
    expect(answer.model).toBe('mock-model');
  });

  it('counts one token per four characters, rounded up', async () => {
    const answer = await mockAdapter.complete(chat('12345'), target(), signal);
    // Prompt: "be brief" (8) + "12345" (5) = 13 chars -> 4; answer "Mock reply to: 12345" (20) -> 5.
    expect(answer.usage).toEqual({ inputTokens: 4, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 });
  });

  it('answers the same request the same way', async () => {
    const a = await mockAdapter.complete(chat('same'), target(), signal);
    const b = await mockAdapter.complete(chat('same'), target(), signal);
    expect(a.id).toBe(b.id);
    expect(a.content).toEqual(b.content);
  });

  it('truncates at maxOutputTokens with finish reason length', async () => {
    const answer = await mockAdapter.complete(chat('a long question indeed', { maxOutputTokens: 2 }), target(), signal);
    expect(answer.content).toEqual([{ type: 'text', text: 'Mock rep' }]);
    expect(answer.finishReason).toBe('length');
  });

  it.each([
    ['a named tool', { type: 'tool', name: 'lookup' } as const, 'lookup'],
    ['required', { type: 'required' } as const, 'first_tool'],
  ])('calls %s with {} when tool_choice forces one', async (_label, toolChoice, name) => {
    const tools = [
      { name: 'first_tool', parameters: { type: 'object' } },
      { name: 'lookup', parameters: { type: 'object' } },
    ];
    const answer = await mockAdapter.complete(chat('use a tool', { tools, toolChoice }), target(), signal);
    expect(answer.finishReason).toBe('tool_calls');
    expect(answer.content).toEqual([{ type: 'tool_call', id: expect.stringMatching(/^call_[0-9a-f]{24}$/), name, arguments: '{}' }]);
  });

  it('streams word by word, then finish and usage', async () => {
    const events = await collect(
      mockAdapter.stream(
        chat('stream this', { stream: true }),
        target({ latencyMs: 0, failureRate: 0, response: 'alpha beta  gamma' }),
        signal,
      ),
    );
    expect(events[0]).toMatchObject({ type: 'response_start', model: 'mock-model' });
    expect(events.filter((e) => e.type === 'text_delta').map((e) => (e.type === 'text_delta' ? e.text : ''))).toEqual([
      'alpha ',
      'beta  ',
      'gamma',
    ]);
    expect(events.slice(-2)).toEqual([
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: expect.objectContaining({ outputTokens: 5 }) },
    ]);
  });

  it.each([
    [0.25, [false, false, false, true, false, false, false, true]],
    [0.5, [false, true, false, true, false, true, false, true]],
    [1, [true, true, true, true, true, true, true, true]],
    [0, [false, false, false, false, false, false, false, false]],
  ])('with failureRate %d fails exactly the scheduled calls', async (failureRate, expected) => {
    const backendTarget = target({ latencyMs: 0, failureRate });
    const failed: boolean[] = [];
    for (let i = 0; i < expected.length; i++) {
      failed.push(
        await mockAdapter.complete(chat('x'), backendTarget, signal).then(
          () => false,
          (error: unknown) => error instanceof UpstreamFailure && error.kind === 'ServerError' && error.status === 500,
        ),
      );
    }
    expect(failed).toEqual(expected);
  });

  it('waits its latency and stops waiting when aborted', async () => {
    const started = Date.now();
    await mockAdapter.complete(chat('x'), target({ latencyMs: 120, failureRate: 0 }), signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    const controller = new AbortController();
    const pending = mockAdapter.complete(chat('x'), target({ latencyMs: 10_000, failureRate: 0 }), controller.signal);
    controller.abort(new Error('caller left'));
    await expect(pending).rejects.toThrow('caller left');
  });

  it('embeds deterministically into unit vectors of the requested size', async () => {
    const embed = mockAdapter.embed;
    if (embed === undefined) throw new Error('mock adapter has no embeddings');
    const first = await embed({ model: 'e', input: ['alpha', 'beta', 'alpha'], dimensions: 32 }, target(), signal);
    expect(first.embeddings).toHaveLength(3);
    expect(first.embeddings[0]).toHaveLength(32);
    expect(first.embeddings[0]).toEqual(first.embeddings[2]);
    expect(first.embeddings[0]).not.toEqual(first.embeddings[1]);
    const norm = Math.sqrt((first.embeddings[1] ?? []).reduce((s, v) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 6);
    expect(first.usage.inputTokens).toBe(2 + 1 + 2);
  });
});
