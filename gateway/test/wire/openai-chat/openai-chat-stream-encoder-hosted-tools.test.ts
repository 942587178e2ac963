// Hosted-tool events have no items in Chat Completions (or Gemini): their streams are exactly what
// they would be without them, so a route's spec.mcp loop stays invisible to those callers.
import { describe, expect, it } from '@jest/globals';
import { OpenAIChatStreamEncoder } from '../../../src/wire/openai-chat/openai-chat-stream-encoder.js';
import { GeminiStreamEncoder } from '../../../src/wire/gemini/gemini-stream-encoder.js';
import type { FrontDoorStreamEncoder } from '../../../src/unified/front-door-codec.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';

const usage = { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 };

const plain: UnifiedStreamEvent[] = [
  { type: 'response_start', id: 'up', model: 'm', created: 1 },
  { type: 'text_delta', text: 'Checking. ' },
  { type: 'text_delta', text: 'Done.' },
  { type: 'finish', finishReason: 'stop' },
  { type: 'usage', usage },
];

const hosted: UnifiedStreamEvent[] = [
  { type: 'hosted_tool_list', server: 'tools', tools: [{ name: 'echo', inputSchema: { type: 'object' } }] },
  { type: 'hosted_tool_call', id: 'call_1', server: 'tools', name: 'echo', arguments: '{}' },
  { type: 'hosted_tool_result', id: 'call_1', output: 'hi' },
];

/** The plain stream with the hosted events between its two text deltas. */
const withHosted = [...plain.slice(0, 2), ...hosted, ...plain.slice(2)];

describe('hosted-tool events in formats without such items', () => {
  const encoders: Array<[string, () => FrontDoorStreamEncoder]> = [
    ['Chat Completions', () => new OpenAIChatStreamEncoder('assistant', true)],
    ['Gemini', () => new GeminiStreamEncoder('assistant')],
  ];

  it.each(encoders)('%s writes nothing for them', (_name, create) => {
    const encode = (events: UnifiedStreamEvent[]): string => {
      const encoder = create();
      return events.map((event) => encoder.encode(event)).join('') + encoder.end();
    };
    const encoder = create();
    for (const event of hosted) expect(encoder.encode(event)).toBe('');
    // Ids and timestamps aside, the two streams are the same.
    const normalize = (sse: string): string =>
      sse.replace(/"(id|responseId)":"[^"]*"/g, '"$1":""').replace(/"created":\d+/g, '"created":0');
    expect(normalize(encode(withHosted))).toBe(normalize(encode(plain)));
  });
});
