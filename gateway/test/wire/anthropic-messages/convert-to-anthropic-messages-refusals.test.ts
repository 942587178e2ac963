import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { convertToAnthropicMessagesRequest } from '../../../src/wire/anthropic-messages/convert-to-anthropic-messages.js';
import { JSON_RESPONSE_TOOL_NAME } from '../../../src/wire/anthropic-messages/json-response-tool.js';
import { UnsupportedFeatureError } from '../../../src/errors/unsupported-feature-error.js';
import type { UnifiedChatRequest, UnifiedMessage } from '../../../src/unified/chat-request.js';
import { chatRequest } from '../../providers/anthropic/anthropic-test-support.js';

const hello: UnifiedMessage = { role: 'user', content: [{ type: 'text', text: 'Hello' }] };

function convert(overrides: Partial<UnifiedChatRequest>) {
  return () => convertToAnthropicMessagesRequest(chatRequest(overrides), { model: 'claude-sonnet-4-5', defaultMaxTokens: 4096 });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the conversion to throw');
}

describe('convertToAnthropicMessagesRequest refuses what Anthropic cannot take', () => {
  const invalid: Array<{ name: string; request: Partial<UnifiedChatRequest>; message: RegExp; param: string }> = [
    {
      name: 'tool call arguments that are not JSON name the message',
      request: {
        messages: [
          hello,
          { role: 'assistant', content: [{ type: 'tool_call', id: 'toolu_9', name: 'get_weather', arguments: '{"city": "Par' }] },
        ],
      },
      message: /messages\[1\]: tool call "get_weather" \(id "toolu_9"\): arguments are not valid JSON/,
      param: 'messages[1].tool_calls',
    },
    {
      name: 'tool call arguments that are JSON but not an object',
      request: { messages: [hello, { role: 'assistant', content: [{ type: 'tool_call', id: 't', name: 'f', arguments: '[1,2]' }] }] },
      message: /messages\[1\].*must be a JSON object/,
      param: 'messages[1].tool_calls',
    },
    {
      name: 'an image in a system message',
      request: { messages: [{ role: 'system', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] }, hello] },
      message: /messages\[0\]: a system message may only contain text/,
      param: 'messages[0].content',
    },
    {
      name: 'an image in an assistant message',
      request: { messages: [hello, { role: 'assistant', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] }] },
      message: /messages\[1\]: an assistant message may not contain image/,
      param: 'messages[1].content',
    },
    {
      name: 'a tool call in a user message',
      request: { messages: [{ role: 'user', content: [{ type: 'tool_call', id: 't', name: 'f', arguments: '{}' }] }] },
      message: /messages\[0\]: tool calls may only appear in assistant messages/,
      param: 'messages[0].content',
    },
    {
      name: 'text in a tool message',
      request: { messages: [hello, { role: 'tool', content: [{ type: 'text', text: 'loose' }] }] },
      message: /messages\[1\]: a tool message may only contain tool results/,
      param: 'messages[1].content',
    },
    {
      name: 'only system messages',
      request: { messages: [{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }] },
      message: /at least one user or assistant message/,
      param: 'messages',
    },
    {
      name: 'a thinking budget below 1024',
      request: { reasoning: { budgetTokens: 500 } },
      message: /below Anthropic's minimum thinking budget of 1024/,
      param: 'reasoning',
    },
    {
      name: 'a thinking budget not below max tokens',
      request: { reasoning: { budgetTokens: 2048 }, maxOutputTokens: 2048 },
      message: /reasoning budget 2048 must be less than the max output tokens 2048/,
      param: 'reasoning',
    },
    {
      name: 'an effort with max tokens too small for any thinking',
      request: { reasoning: { effort: 'low' }, maxOutputTokens: 1000 },
      message: /max output tokens 1000 leave no room/,
      param: 'reasoning',
    },
    {
      name: 'a tool choice naming an unknown tool',
      request: { tools: [{ name: 'a', parameters: { type: 'object' } }], toolChoice: { type: 'tool', name: 'b' } },
      message: /tool_choice names the tool "b"/,
      param: 'tool_choice',
    },
    {
      name: 'a tool choice naming a tool when there are no tools',
      request: { toolChoice: { type: 'tool', name: 'b' } },
      message: /tool_choice names the tool "b"/,
      param: 'tool_choice',
    },
    {
      name: 'a caller tool with the reserved answer-tool name',
      request: { tools: [{ name: JSON_RESPONSE_TOOL_NAME, parameters: { type: 'object' } }] },
      message: /reserved by the gateway/,
      param: 'tools[0].name',
    },
  ];

  it.each(invalid)('400: $name', ({ request, message, param }) => {
    const error = thrown(convert(request));
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.kind).toBe('invalid_request');
    expect(gatewayError.status).toBe(400);
    expect(gatewayError.message).toMatch(message);
    expect(gatewayError.param).toBe(param);
  });

  const unsupported: Array<{ name: string; request: Partial<UnifiedChatRequest>; feature: RegExp }> = [
    {
      name: 'a Word document',
      request: {
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                mediaType: 'application/msword',
                source: { kind: 'base64', mediaType: 'application/msword', data: 'AAAA' },
              },
            ],
          },
        ],
      },
      feature: /document of type "application\/msword" in messages\[0\]\.content\[0\]/,
    },
    {
      name: 'a plain-text document by URL (Anthropic fetches PDFs only)',
      request: {
        messages: [
          { role: 'user', content: [{ type: 'document', mediaType: 'text/plain', source: { kind: 'url', url: 'https://x/notes.txt' } }] },
        ],
      },
      feature: /document of type "text\/plain"/,
    },
  ];

  it.each(unsupported)('unsupported: $name', ({ request, feature }) => {
    const error = thrown(convert(request));
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect((error as UnsupportedFeatureError).provider).toBe('anthropic');
    expect((error as UnsupportedFeatureError).feature).toMatch(feature);
  });
});
