import { describe, expect, it } from '@jest/globals';
import type { Usage } from '@switchyard/compiler';
import { OpenAIStreamDecoder } from '../../../src/wire/openai-chat/openai-chat-stream-decoder.js';
import { captureAsSse, decodeAll, summarize } from '../../providers/openai/openai-test-support.js';

interface Expected {
  textStart: string;
  textEnd: string;
  textLength: number;
  reasoningStart?: string;
  reasoningLength?: number;
  toolCalls?: Array<{ index: number; id: string; name: string; arguments: string }>;
  finish: string;
  usage: Usage;
}

const u = (inputTokens: number, outputTokens: number, cachedInputTokens = 0, reasoningTokens = 0): Usage => ({
  inputTokens,
  cachedInputTokens,
  cacheWriteTokens: 0,
  outputTokens,
  reasoningTokens,
});

// Facts read off the recorded streams (real provider traffic, copied into __fixtures__).
const captures: Array<[string, Expected]> = [
  ['openai-text', { textStart: '**Holiday Name:** Ha', textEnd: 'mutual respect.', textLength: 1724, finish: 'stop', usage: u(16, 300) }],
  [
    'deepseek-reasoning',
    {
      textStart: 'The word "strawberry',
      textEnd: 'ins three "r"s.',
      textLength: 42,
      reasoningStart: 'We need to coun',
      reasoningLength: 606,
      finish: 'stop',
      usage: u(18, 219, 0, 205),
    },
  ],
  [
    'deepseek-text',
    { textStart: '## **Holiday Name:**', textEnd: 'lent looking at', textLength: 1855, finish: 'length', usage: u(13, 400) },
  ],
  [
    'deepseek-tool-call',
    {
      textStart: '',
      textEnd: '',
      textLength: 0,
      reasoningStart: 'The user is ask',
      reasoningLength: 191,
      toolCalls: [{ index: 0, id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF', name: 'weather', arguments: '{"location": "San Francisco"}' }],
      finish: 'tool_calls',
      usage: u(339, 83, 320, 39),
    },
  ],
  ['groq-text', { textStart: 'Introducing "Luminar', textEnd: 'magic of light.', textLength: 3189, finish: 'stop', usage: u(45, 662) }],
  [
    'groq-tool-call',
    {
      textStart: '',
      textEnd: '',
      textLength: 0,
      toolCalls: [{ index: 0, id: 'tk85n1k4m', name: 'weather', arguments: '{}' }],
      finish: 'tool_calls',
      usage: u(210, 15),
    },
  ],
  ['mistral-text', { textStart: 'Hello, world! This i', textEnd: ' test response.', textLength: 38, finish: 'stop', usage: u(13, 8) }],
  [
    'mistral-incremental-tool-call',
    {
      textStart: '',
      textEnd: '',
      textLength: 0,
      toolCalls: [
        { index: 0, id: 'chatcmpl-tool-9f149c74c42f265b', name: 'webSearchTool', arguments: '{"query": "current Berlin weather"}' },
      ],
      finish: 'tool_calls',
      usage: u(171, 14, 128),
    },
  ],
];

describe('OpenAI-format stream decoder: recorded provider streams', () => {
  it.each(captures)('%s', (name, expected) => {
    const events = decodeAll(new OpenAIStreamDecoder('openai'), captureAsSse(name));
    const summary = summarize(events);
    expect(events[0]!.type).toBe('response_start');
    expect(summary.starts).toBe(1);
    expect(summary.text.length).toBe(expected.textLength);
    expect(summary.text.startsWith(expected.textStart)).toBe(true);
    expect(summary.text.endsWith(expected.textEnd)).toBe(true);
    expect(summary.reasoning.length).toBe(expected.reasoningLength ?? 0);
    if (expected.reasoningStart) expect(summary.reasoning.startsWith(expected.reasoningStart)).toBe(true);
    expect(summary.toolCalls).toEqual(expected.toolCalls ?? []);
    expect(summary.finishReasons).toEqual([expected.finish]);
    expect(summary.usages).toEqual([expected.usage]);
    expect(events.at(-1)!.type).toBe('usage');
  });

  it.each(captures.map(([name]) => [name]))('%s decodes the same when bytes arrive in 7-byte slices', (name) => {
    const whole = decodeAll(new OpenAIStreamDecoder('openai'), captureAsSse(name));
    const sliced = decodeAll(new OpenAIStreamDecoder('openai'), captureAsSse(name), 7);
    expect(summarize(sliced)).toEqual(summarize(whole));
  });

  it.each([['openai-text'], ['groq-tool-call'], ['deepseek-tool-call']])(
    '%s without [DONE] still completes: the finish chunk arrived',
    (name) => {
      const summary = summarize(decodeAll(new OpenAIStreamDecoder('openai'), captureAsSse(name, false)));
      expect(summary.finishReasons).toHaveLength(1);
    },
  );
});
