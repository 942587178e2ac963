import { describe, expect, it } from '@jest/globals';
import { OpenAIStreamDecoder } from '../../../src/wire/openai-chat/openai-chat-stream-decoder.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { decodeAll, summarize } from '../../providers/openai/openai-test-support.js';

const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o' };
const chunk = (
  delta: Record<string, unknown>,
  finishReason: string | null = null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  ...head,
  choices: [{ index: 0, delta, finish_reason: finishReason }],
  ...extra,
});
const sse = (...payloads: Array<Record<string, unknown> | string>): string =>
  payloads.map((p) => `data: ${typeof p === 'string' ? p : JSON.stringify(p)}\n\n`).join('');

function decode(text: string): UnifiedStreamEvent[] {
  return decodeAll(new OpenAIStreamDecoder('openai'), text);
}

function failure(text: string): UpstreamFailure {
  try {
    decode(text);
  } catch (error) {
    if (error instanceof UpstreamFailure) return error;
    throw error;
  }
  throw new Error('expected an UpstreamFailure');
}

describe('OpenAI-format stream decoder: behaviour', () => {
  it('emits response_start, deltas, finish, then usage from the trailing usage chunk', () => {
    const events = decode(
      sse(
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'Hi' }),
        chunk({}, 'stop'),
        {
          ...head,
          choices: [],
          usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, prompt_tokens_details: { cached_tokens: 2 } },
        },
        '[DONE]',
      ),
    );
    expect(events).toEqual([
      { type: 'response_start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1_700_000_000 },
      { type: 'text_delta', text: 'Hi' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 5, cachedInputTokens: 2, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0 } },
    ]);
  });

  it('parallel tool calls: numbered by start order, arguments routed by upstream index', () => {
    const summary = summarize(
      decode(
        sse(
          chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }] }),
          chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{"x"' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }),
          chunk({ tool_calls: [{ index: 1, function: { arguments: ':2}' } }] }),
          chunk({}, 'tool_calls'),
          '[DONE]',
        ),
      ),
    );
    expect(summary.toolCalls).toEqual([
      { index: 0, id: 'call_a', name: 'f', arguments: '{"a":1}' },
      { index: 1, id: 'call_b', name: 'g', arguments: '{"x":2}' },
    ]);
  });

  it('a new id at a reused index starts a new call; a missing index uses the array position', () => {
    const summary = summarize(
      decode(
        sse(
          chunk({ tool_calls: [{ index: 0, id: 'one', function: { name: 'f', arguments: '{}' } }] }),
          chunk({ tool_calls: [{ index: 0, id: 'two', function: { name: 'g', arguments: '{}' } }] }),
          chunk({ tool_calls: [{ id: 'three', function: { name: 'h', arguments: '{}' } }] }),
          chunk({}, 'tool_calls'),
          '[DONE]',
        ),
      ),
    );
    expect(summary.toolCalls.map((c) => [c.index, c.id, c.name])).toEqual([
      [0, 'one', 'f'],
      [1, 'two', 'g'],
      [2, 'three', 'h'],
    ]);
  });

  it('waits for a name that arrives after the id, keeping early arguments', () => {
    const summary = summarize(
      decode(
        sse(
          chunk({ tool_calls: [{ index: 0, id: 'c1', function: { arguments: '{"q":' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { name: 'search', arguments: '"x"}' } }] }),
          chunk({}, 'tool_calls'),
          '[DONE]',
        ),
      ),
    );
    expect(summary.toolCalls).toEqual([{ index: 0, id: 'c1', name: 'search', arguments: '{"q":"x"}' }]);
  });

  it('generates an id when a provider sends none', () => {
    const summary = summarize(
      decode(sse(chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '{}' } }] }), chunk({}, 'tool_calls'), '[DONE]')),
    );
    expect(summary.toolCalls[0]!.id).toMatch(/^call_/);
  });

  it('reads `reasoning` (OpenRouter, Ollama) as well as `reasoning_content`', () => {
    const summary = summarize(
      decode(sse(chunk({ reasoning: 'a' }), chunk({ reasoning_content: 'b' }), chunk({ content: 'c' }), chunk({}, 'stop'), '[DONE]')),
    );
    expect(summary.reasoning).toBe('ab');
    expect(summary.text).toBe('c');
  });

  it('streams a refusal as text and finishes with refusal', () => {
    const summary = summarize(decode(sse(chunk({ refusal: "I can't" }), chunk({}, 'stop'), '[DONE]')));
    expect(summary.text).toBe("I can't");
    expect(summary.finishReasons).toEqual(['refusal']);
  });

  it('skips Azure prompt-filter chunks that precede the completion', () => {
    const events = decode(
      sse(
        {
          id: '',
          object: '',
          created: 0,
          model: '',
          choices: [],
          prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
        },
        chunk({ role: 'assistant', content: 'ok' }),
        chunk({}, 'content_filter'),
        '[DONE]',
      ),
    );
    expect(events[0]).toEqual({ type: 'response_start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1_700_000_000 });
    expect(summarize(events).finishReasons).toEqual(['content_filter']);
  });

  it('emits usage once even when a provider repeats cumulative usage', () => {
    const usage = (n: number): Record<string, unknown> => ({ usage: { prompt_tokens: 3, completion_tokens: n, total_tokens: 3 + n } });
    const summary = summarize(
      decode(sse(chunk({ content: 'a' }, null, usage(1)), chunk({ content: 'b' }, null, usage(2)), chunk({}, 'stop', usage(3)), '[DONE]')),
    );
    expect(summary.usages).toEqual([{ inputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 3, reasoningTokens: 0 }]);
  });

  it('ignores SSE comments and CRLF framing', () => {
    const text = `: keep-alive\r\n\r\ndata: ${JSON.stringify(chunk({ content: 'x' }))}\r\n\r\ndata: ${JSON.stringify(chunk({}, 'stop'))}\r\n\r\ndata: [DONE]\r\n\r\n`;
    expect(summarize(decode(text)).text).toBe('x');
  });

  const broken: Array<[string, string]> = [
    ['cut before any finish', sse(chunk({ role: 'assistant', content: '' }), chunk({ content: 'partial' }))],
    ['cut in the middle of a frame', `${sse(chunk({ content: 'partial' }))}data: {"id":"chatcmpl-1","choi`],
    ['empty body', ''],
    ['only [DONE]', sse('[DONE]')],
  ];
  it.each(broken)('a stream %s throws StreamBroken', (_name, text) => {
    const error = failure(text);
    expect(error.kind).toBe('StreamBroken');
  });

  it('a non-JSON event throws StreamBroken', () => {
    expect(failure(sse('not json')).kind).toBe('StreamBroken');
  });

  const streamErrors: Array<[string, Record<string, unknown>, string]> = [
    ['server_error', { message: 'The server had an error', type: 'server_error', code: null }, 'ServerError'],
    ['rate limit', { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }, 'RateLimited'],
    ['invalid request', { message: 'bad', type: 'invalid_request_error', code: null }, 'BadRequest'],
    ['no type at all', { message: 'boom' }, 'ServerError'],
  ];
  it.each(streamErrors)('an in-stream error (%s) throws UpstreamFailure %s', (_name, error, kind) => {
    const failed = failure(sse(chunk({ content: 'a' }), { error }));
    expect(failed).toBeInstanceOf(UpstreamFailure);
    expect(failed.kind).toBe(kind);
    expect(failed.message).toContain(String(error.message));
  });
});
