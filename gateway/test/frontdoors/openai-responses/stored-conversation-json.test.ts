// A conversation stored in Redis comes back exactly as it was stored, whatever its messages
// hold; text that is not a stored conversation is refused with the problem named.
import { describe, expect, it } from '@jest/globals';
import { parseStoredConversation, serializeStoredConversation } from '../../../src/frontdoors/openai-responses/stored-conversation-json.js';
import type { UnifiedMessage } from '../../../src/unified/chat-request.js';

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const cases: Array<[string, UnifiedMessage[]]> = [
  [
    'plain text turns',
    [
      { role: 'user', content: [{ type: 'text', text: 'Hi, I am Ada.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello Ada.' }] },
    ],
  ],
  [
    'a system message with cache control and a named user',
    [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.', cacheControl: { type: 'ephemeral', ttl: '1h' } }] },
      { role: 'user', name: 'ada', content: [{ type: 'text', text: 'x' }] },
    ],
  ],
  [
    'images by URL and inline, with detail',
    [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'low' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG_BASE64 }, detail: 'high' },
        ],
      },
    ],
  ],
  [
    'documents inline, by URL and as text',
    [
      {
        role: 'user',
        content: [
          {
            type: 'document',
            source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0xLjQK' },
            mediaType: 'application/pdf',
            filename: 'a.pdf',
          },
          { type: 'document', source: { kind: 'url', url: 'https://example.com/b.pdf' }, mediaType: 'application/pdf', title: 'B' },
          { type: 'document', source: { kind: 'text', text: 'plain notes' }, mediaType: 'text/plain' },
        ],
      },
    ],
  ],
  [
    'tool calls and their results, with an image result and an error',
    [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo and a map?' }] },
      {
        role: 'assistant',
        content: [
          {
            type: 'tool_call',
            id: 'call_1',
            name: 'get_weather',
            arguments: '{"city":"Oslo","unicode":"\u00e6\u00f8\u00e5 \ud83c\udf27"}',
          },
          { type: 'tool_call', id: 'call_2', name: 'get_map', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool_result', toolCallId: 'call_1', toolName: 'get_weather', content: [{ type: 'text', text: '-3C' }] },
          {
            type: 'tool_result',
            toolCallId: 'call_2',
            content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG_BASE64 } }],
            isError: true,
          },
        ],
      },
    ],
  ],
  [
    'reasoning with a signature, and redacted reasoning',
    [
      { role: 'user', content: [{ type: 'text', text: 'Think first.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Let me think about it.', signature: 'EqQBCkgIARABGAIiQL2x+/sig==' },
          { type: 'reasoning', text: '', redactedData: 'EmwKAhgBEgy3va3pzix/redacted' },
          { type: 'text', text: 'Done.' },
        ],
      },
    ],
  ],
];

describe('stored conversation JSON', () => {
  it.each(cases)('round-trips %s', (_label, messages) => {
    const text = serializeStoredConversation({ id: 'resp_abc', messages });
    const parsed = parseStoredConversation(text);
    expect(parsed).toEqual({ response: { id: 'resp_abc', messages } });
  });

  it.each([
    ['not JSON', '{"v":1,', 'not JSON'],
    ['an array', '[]', 'not a JSON object'],
    ['another format version', '{"v":2,"id":"resp_a","messages":[]}', 'format version 2, expected 1'],
    ['no id', '{"v":1,"messages":[]}', 'id is not a string'],
    ['an unknown role', '{"v":1,"id":"resp_a","messages":[{"role":"robot","content":[]}]}', 'messages[0]: unknown role "robot"'],
    [
      'an unknown part',
      '{"v":1,"id":"resp_a","messages":[{"role":"user","content":[{"type":"video"}]}]}',
      'messages[0]: content[0]: unknown part type "video"',
    ],
    [
      'a tool call without arguments',
      '{"v":1,"id":"resp_a","messages":[{"role":"assistant","content":[{"type":"tool_call","id":"c","name":"f"}]}]}',
      'messages[0]: content[0]: tool call without id, name or arguments',
    ],
    [
      'a tool result holding a tool call',
      '{"v":1,"id":"resp_a","messages":[{"role":"tool","content":[{"type":"tool_result","toolCallId":"c","content":[{"type":"tool_call","id":"c","name":"f","arguments":"{}"}]}]}]}',
      'messages[0]: content[0]: content[0]: tool call inside a tool result',
    ],
    [
      'an image without a source',
      '{"v":1,"id":"resp_a","messages":[{"role":"user","content":[{"type":"image"}]}]}',
      'messages[0]: content[0]: media without a source',
    ],
  ])('refuses %s', (_label, text, problem) => {
    expect(parseStoredConversation(text)).toEqual({ problem });
  });
});
