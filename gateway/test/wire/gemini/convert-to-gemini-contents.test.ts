import { describe, expect, it } from '@jest/globals';
import { convertToGeminiContents, type GeminiPrompt } from '../../../src/wire/gemini/convert-to-gemini-contents.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import type { UnifiedMessage } from '../../../src/unified/chat-request.js';

const text = (t: string) => ({ type: 'text' as const, text: t });

const cases: Array<{ name: string; messages: UnifiedMessage[]; expected: GeminiPrompt; requireSignatures?: boolean }> = [
  {
    name: 'system messages anywhere are hoisted in order into systemInstruction',
    messages: [
      { role: 'system', content: [text('Be brief.')] },
      { role: 'user', content: [text('Hi')] },
      { role: 'system', content: [text('Answer in French.')] },
    ],
    expected: {
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
    },
  },
  {
    name: 'roles map to user/model and consecutive same-role contents merge',
    messages: [
      { role: 'user', content: [text('one')] },
      { role: 'user', content: [text('two')] },
      { role: 'assistant', content: [text('three')] },
      { role: 'assistant', content: [text('four')] },
      { role: 'user', content: [text('five')] },
    ],
    expected: {
      contents: [
        { role: 'user', parts: [{ text: 'one' }, { text: 'two' }] },
        { role: 'model', parts: [{ text: 'three' }, { text: 'four' }] },
        { role: 'user', parts: [{ text: 'five' }] },
      ],
    },
  },
  {
    name: 'images: base64 -> inlineData, data URL -> inlineData, https URL -> fileData with a guessed type',
    messages: [
      {
        role: 'user',
        content: [
          text('What is in these?'),
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { kind: 'url', url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.webp?size=2' } },
          { type: 'image', source: { kind: 'url', url: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } },
        ],
      },
    ],
    expected: {
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'What is in these?' },
            { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
            { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
            { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=2' } },
            { fileData: { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } },
          ],
        },
      ],
    },
  },
  {
    name: 'documents: base64 PDF -> inlineData, URL -> fileData with its media type, text -> text',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'document', mediaType: 'application/pdf', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } },
          { type: 'document', mediaType: 'application/pdf', source: { kind: 'url', url: 'https://example.com/report' } },
          { type: 'document', mediaType: 'text/plain', title: 'Notes', source: { kind: 'text', text: 'remember milk' } },
        ],
      },
    ],
    expected: {
      contents: [
        {
          role: 'user',
          parts: [
            { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
            { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/report' } },
            { text: 'Notes\n\nremember milk' },
          ],
        },
      ],
    },
  },
  {
    name: 'tool calls -> functionCall with parsed args; tool results -> functionResponse by name',
    messages: [
      { role: 'user', content: [text('Weather in Paris and Rome?')] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_call', id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_b', name: 'weather', arguments: '{"city":"Rome","units":"c"}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_a', content: [text('{"temp":21}')] }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_b', toolName: 'weather', content: [text('sunny, 25C')] }] },
    ],
    expected: {
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'weather', args: { city: 'Paris' } } },
            { functionCall: { name: 'weather', args: { city: 'Rome', units: 'c' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'weather', response: { temp: 21 } } },
            { functionResponse: { name: 'weather', response: { content: 'sunny, 25C' } } },
          ],
        },
      ],
    },
  },
  {
    name: 'error results are wrapped in {error}; JSON arrays stay text; images follow the response',
    messages: [
      { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: '' }] },
      {
        role: 'tool',
        content: [
          { type: 'tool_result', toolCallId: 'c1', isError: true, content: [text('not found')] },
          {
            type: 'tool_result',
            toolCallId: 'c1',
            content: [text('[1,2]'), { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } }],
          },
        ],
      },
    ],
    expected: {
      contents: [
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: {} } }] },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'lookup', response: { error: { content: 'not found' } } } },
            { functionResponse: { name: 'lookup', response: { content: '[1,2]' } } },
            { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
          ],
        },
      ],
    },
  },
  {
    name: 'a tool result followed by a user message merges into one user turn, responses first',
    messages: [
      { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c1', content: [text('ok')] }] },
      { role: 'user', content: [text('thanks, now summarise')] },
    ],
    expected: {
      contents: [
        { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { content: 'ok' } } }, { text: 'thanks, now summarise' }] },
      ],
    },
  },
  {
    name: 'reasoning: thought text -> thought part, signature-only part -> signature on the next part',
    messages: [
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Let me think.', signature: 'SIG_THOUGHT' },
          { type: 'reasoning', text: '', signature: 'SIG_CALL' },
          { type: 'tool_call', id: 'c1', name: 'f', arguments: '{"x":1}' },
          { type: 'tool_call', id: 'c2', name: 'g', arguments: '{}' },
        ],
      },
    ],
    expected: {
      contents: [
        {
          role: 'model',
          parts: [
            { text: 'Let me think.', thought: true, thoughtSignature: 'SIG_THOUGHT' },
            { functionCall: { name: 'f', args: { x: 1 } }, thoughtSignature: 'SIG_CALL' },
            { functionCall: { name: 'g', args: {} } },
          ],
        },
      ],
    },
  },
  {
    name: 'a trailing signature-only part goes onto the previous part; redacted reasoning is left out',
    messages: [
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Answer.' },
          { type: 'reasoning', text: '', redactedData: 'opaque' },
          { type: 'reasoning', text: '', signature: 'SIG_END' },
        ],
      },
    ],
    expected: { contents: [{ role: 'model', parts: [{ text: 'Answer.', thoughtSignature: 'SIG_END' }] }] },
  },
  {
    name: 'Gemini 3: a replayed call without signature gets the skip sentinel on the first call of each turn only',
    requireSignatures: true,
    messages: [
      { role: 'user', content: [text('go')] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' },
          { type: 'tool_call', id: 'c2', name: 'f', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool_result', toolCallId: 'c1', content: [text('1')] },
          { type: 'tool_result', toolCallId: 'c2', content: [text('2')] },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: '', signature: 'REAL' },
          { type: 'tool_call', id: 'c3', name: 'f', arguments: '{}' },
        ],
      },
    ],
    expected: {
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'f', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
            { functionCall: { name: 'f', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'f', response: { content: '1' } } },
            { functionResponse: { name: 'f', response: { content: '2' } } },
          ],
        },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'REAL' }] },
      ],
    },
  },
  {
    name: 'empty text parts and empty messages are left out',
    messages: [
      { role: 'user', content: [text(''), text('hello')] },
      { role: 'assistant', content: [] },
      { role: 'system', content: [text('')] },
    ],
    expected: { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] },
  },
];

describe('convertToGeminiContents', () => {
  it.each(cases)('$name', ({ messages, expected, requireSignatures }) => {
    expect(convertToGeminiContents(messages, { requireFunctionCallSignatures: requireSignatures ?? false })).toEqual(expected);
  });

  const errors: Array<{ name: string; messages: UnifiedMessage[]; param: string; message: RegExp }> = [
    {
      name: 'tool-call arguments that are not JSON (names the message and the call)',
      messages: [
        { role: 'user', content: [text('x')] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'call_9', name: 'f', arguments: '{"a":' }] },
      ],
      param: 'messages[1].content[0]',
      message: /messages\[1\]\.content\[0\]: the arguments of tool call "call_9" \(f\) are not valid JSON/,
    },
    {
      name: 'tool-call arguments that are a JSON array',
      messages: [{ role: 'assistant', content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '[1]' }] }],
      param: 'messages[0].content[0]',
      message: /must be a JSON object/,
    },
    {
      name: 'a tool result whose tool name cannot be found',
      messages: [{ role: 'tool', content: [{ type: 'tool_result', toolCallId: 'unknown', content: [text('x')] }] }],
      param: 'messages[0].content[0]',
      message: /Gemini needs the tool name/,
    },
    {
      name: 'an image in a system message',
      messages: [{ role: 'system', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA' } }] }],
      param: 'messages[0].content[0]',
      message: /may hold only text/,
    },
    {
      name: 'a tool call in a user message',
      messages: [{ role: 'user', content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }] }],
      param: 'messages[0].content[0]',
      message: /only assistant messages can carry tool calls/,
    },
    {
      name: 'a non-base64 data URL',
      messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'data:image/png,rawbytes' } }] }],
      param: 'messages[0].content[0]',
      message: /only base64 data URLs/,
    },
  ];

  it.each(errors)('rejects $name with a 400', ({ messages, param, message }) => {
    let thrown: unknown;
    try {
      convertToGeminiContents(messages, { requireFunctionCallSignatures: false });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).status).toBe(400);
    expect((thrown as GatewayError).param).toBe(param);
    expect((thrown as GatewayError).message).toMatch(message);
  });
});
