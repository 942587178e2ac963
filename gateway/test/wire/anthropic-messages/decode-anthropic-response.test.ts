import { describe, expect, it } from '@jest/globals';
import { decodeAnthropicResponse } from '../../../src/wire/anthropic-messages/decode-anthropic-response.js';
import { JSON_RESPONSE_TOOL_NAME } from '../../../src/wire/anthropic-messages/json-response-tool.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { readFixtureJson } from '../../providers/anthropic/anthropic-test-support.js';

const NOW = 1_700_000_000_123;
const usage = (inputTokens: number, outputTokens: number) => ({
  inputTokens,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens,
  reasoningTokens: 0,
});

describe('decodeAnthropicResponse: recorded responses', () => {
  const cases: Array<{ capture: string; expected: UnifiedChatResponse }> = [
    {
      capture: 'anthropic-text.json',
      expected: {
        id: 'msg_01VdEjxAP5ahtHKrrRdNBteQ',
        model: 'claude-sonnet-4-5-20250929',
        created: 1_700_000_000,
        content: [
          {
            type: 'text',
            text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
          },
        ],
        finishReason: 'stop',
        usage: usage(12, 29),
      },
    },
    {
      capture: 'anthropic-clear-thinking.1.json',
      expected: {
        id: 'msg_01XrsJCi8CQoLcnnWdY8RsJz',
        model: 'claude-sonnet-4-5-20250929',
        created: 1_700_000_000,
        content: [
          {
            type: 'reasoning',
            text: '925 divided by 5 = 185',
            signature:
              'Er4BCkYICxgCKkCoxqLHLrx4mFL9Ox7/aHKht87WDzXfvZ7qbZKSnHV8imA5b3LXxuVqcXQ9z5sXwDx20JIW/+6DJehOSNK72L83Egx0T9s7VzB6QUK9g5kaDO9lGaWN5CPEDJU0lyIw4+Ed3q4N9w+16h3cfQ+9stJXHCl+1nYDxjIOLcyJT8Ug/LTmtlp4bbxWmmfNicayKiasdReHiOnqz1sKEF0pR4kcnF5mQGdLxk8q3A3NY+wGsH8MtUIqxRgB',
          },
          { type: 'text', text: '925 ÷ 5 = 185' },
        ],
        finishReason: 'stop',
        usage: usage(69, 33),
      },
    },
    {
      capture: 'anthropic-json-tool.1.json',
      expected: {
        id: 'msg_0191iYfpERYfS27xLsdW2nbb',
        model: 'claude-haiku-4-5-20251001',
        created: 1_700_000_000,
        content: [
          {
            type: 'tool_call',
            id: 'toolu_01Q9ExVZnzZj7E2QQYHYtNUa',
            name: 'json',
            arguments: JSON.stringify({
              elements: [
                { location: 'San Francisco', temperature: -5, condition: 'snowy' },
                { location: 'London', temperature: 0, condition: 'snowy' },
                { location: 'Paris', temperature: 23, condition: 'cloudy' },
                { location: 'Berlin', temperature: -9, condition: 'snowy' },
              ],
            }),
          },
        ],
        finishReason: 'tool_calls',
        usage: usage(1151, 87),
      },
    },
    {
      capture: 'anthropic-tool-no-args.json',
      expected: {
        id: 'msg_01GCBaV8gyWAYgMVggRqZbuQ',
        model: 'claude-3-opus-20240229',
        created: 1_700_000_000,
        content: [
          {
            type: 'text',
            text: '<thinking>\nThe updateIssueList tool was provided in the list of available functions. The tool has no required parameters, so it can be called without any additional information needed from the user.\n</thinking>\n\nOkay, I will update the current issue list:',
          },
          { type: 'tool_call', id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', name: 'updateIssueList', arguments: '{}' },
        ],
        finishReason: 'tool_calls',
        usage: usage(602, 93),
      },
    },
    {
      capture: 'anthropic-refusal.json',
      expected: {
        id: 'msg_01RefusalExampleAbcdefghijk',
        model: 'claude-fable-5',
        created: 1_700_000_000,
        content: [],
        finishReason: 'refusal',
        usage: usage(18, 5),
      },
    },
  ];

  it.each(cases)('$capture', ({ capture, expected }) => {
    expect(decodeAnthropicResponse(readFixtureJson(capture), NOW)).toEqual(expected);
  });
});

describe('decodeAnthropicResponse: other shapes', () => {
  const base = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 4 },
  };

  it('stop_sequence carries the matched sequence', () => {
    const response = decodeAnthropicResponse(
      { ...base, content: [{ type: 'text', text: 'a' }], stop_reason: 'stop_sequence', stop_sequence: '###' },
      NOW,
    );
    expect(response.finishReason).toBe('stop');
    expect(response.stopSequence).toBe('###');
  });

  it('redacted thinking keeps its opaque data', () => {
    const response = decodeAnthropicResponse(
      {
        ...base,
        content: [
          { type: 'redacted_thinking', data: 'EmwKAhgB' },
          { type: 'text', text: 'ok' },
        ],
        stop_reason: 'end_turn',
      },
      NOW,
    );
    expect(response.content).toEqual([
      { type: 'reasoning', text: '', redactedData: 'EmwKAhgB' },
      { type: 'text', text: 'ok' },
    ]);
  });

  it('cache usage is folded into inputTokens', () => {
    const response = decodeAnthropicResponse(
      {
        ...base,
        content: [],
        stop_reason: 'end_turn',
        usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 300, cache_creation_input_tokens: 40 },
      },
      NOW,
    );
    expect(response.usage).toEqual({ inputTokens: 350, cachedInputTokens: 300, cacheWriteTokens: 40, outputTokens: 2, reasoningTokens: 0 });
  });

  it('the forced JSON-answer tool comes back as text with finish reason stop', () => {
    const response = decodeAnthropicResponse(
      {
        ...base,
        content: [{ type: 'tool_use', id: 'toolu_j', name: JSON_RESPONSE_TOOL_NAME, input: { answer: 'Paris' } }],
        stop_reason: 'tool_use',
      },
      NOW,
    );
    expect(response.content).toEqual([{ type: 'text', text: '{"answer":"Paris"}' }]);
    expect(response.finishReason).toBe('stop');
  });

  it('the JSON-answer tool beside a real tool call keeps finish reason tool_calls', () => {
    const response = decodeAnthropicResponse(
      {
        ...base,
        content: [
          { type: 'tool_use', id: 'toolu_a', name: 'lookup', input: { q: 1 } },
          { type: 'tool_use', id: 'toolu_j', name: JSON_RESPONSE_TOOL_NAME, input: {} },
        ],
        stop_reason: 'tool_use',
      },
      NOW,
    );
    expect(response.finishReason).toBe('tool_calls');
  });

  it('server-tool blocks are skipped', () => {
    const response = decodeAnthropicResponse(
      {
        ...base,
        content: [
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
          { type: 'text', text: 'Found it.' },
        ],
        stop_reason: 'end_turn',
      },
      NOW,
    );
    expect(response.content).toEqual([{ type: 'text', text: 'Found it.' }]);
  });

  const malformed: Array<{ name: string; body: unknown; message: RegExp }> = [
    { name: 'not an object', body: 'hello', message: /without a content array/ },
    { name: 'no content', body: { ...base }, message: /without a content array/ },
    { name: 'a text block without text', body: { ...base, content: [{ type: 'text' }] }, message: /content\[0\]: text block without text/ },
    {
      name: 'a tool_use block without a name',
      body: { ...base, content: [{ type: 'tool_use', id: 't' }] },
      message: /content\[0\]: tool_use block without id or name/,
    },
  ];

  it.each(malformed)('malformed: $name', ({ body, message }) => {
    let error: unknown;
    try {
      decodeAnthropicResponse(body, NOW);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UpstreamFailure);
    expect((error as UpstreamFailure).message).toMatch(message);
  });
});
