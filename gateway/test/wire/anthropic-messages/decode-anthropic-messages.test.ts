import { describe, expect, it } from '@jest/globals';
import type { UnifiedMessage } from '../../../src/unified/chat-request.js';
import { BASE_BODY, decode, decodeError, decodeMessages } from './decode-support.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF').toString('base64');
const user = (content: unknown): Record<string, unknown> => ({ role: 'user', content });
const assistant = (content: unknown): Record<string, unknown> => ({ role: 'assistant', content });

describe('Anthropic front door: system and messages -> unified messages', () => {
  const cases: Array<[string, Record<string, unknown>, UnifiedMessage[]]> = [
    ['string content', { messages: [user('hello')] }, [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]],
    [
      'system as a string comes first',
      { system: 'Be brief.', messages: [user('hello')] },
      [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: [{ type: 'text', text: 'hello' }] },
      ],
    ],
    [
      'system as text blocks with cache_control',
      {
        system: [
          { type: 'text', text: 'Long rules', cache_control: { type: 'ephemeral', ttl: '1h' } },
          { type: 'text', text: 'More' },
        ],
        messages: [user('q')],
      },
      [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'Long rules', cacheControl: { type: 'ephemeral', ttl: '1h' } },
            { type: 'text', text: 'More' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
      ],
    ],
    [
      'an empty system string is no system message',
      { system: '', messages: [user('q')] },
      [{ role: 'user', content: [{ type: 'text', text: 'q' }] }],
    ],
    [
      'system-role messages inside messages stay in place',
      { messages: [user('a'), { role: 'system', content: 'Now answer in French.' }, user('b')] },
      [
        { role: 'user', content: [{ type: 'text', text: 'a' }] },
        { role: 'system', content: [{ type: 'text', text: 'Now answer in French.' }] },
        { role: 'user', content: [{ type: 'text', text: 'b' }] },
      ],
    ],
    [
      'text blocks with cache_control; citations on input text are not forwarded',
      {
        messages: [
          user([
            { type: 'text', text: 'a', cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'b', citations: null },
          ]),
        ],
      },
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a', cacheControl: { type: 'ephemeral' } },
            { type: 'text', text: 'b' },
          ],
        },
      ],
    ],
    [
      'images: base64 and url',
      {
        messages: [
          user([
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' }, cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'What are these?' },
          ]),
        ],
      },
      [
        {
          role: 'user',
          content: [
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG } },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' }, cacheControl: { type: 'ephemeral' } },
            { type: 'text', text: 'What are these?' },
          ],
        },
      ],
    ],
    [
      'documents: base64 pdf, url, plain text, content source, title and context',
      {
        messages: [
          user([
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'Report' },
            { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
            {
              type: 'document',
              source: { type: 'text', media_type: 'text/plain', data: 'plain words' },
              context: 'From the wiki',
              citations: { enabled: true },
            },
            {
              type: 'document',
              source: {
                type: 'content',
                content: [
                  { type: 'text', text: 'one' },
                  { type: 'text', text: 'two' },
                ],
              },
            },
            { type: 'document', source: { type: 'content', content: 'single' }, cache_control: { type: 'ephemeral' } },
          ]),
        ],
      },
      [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              mediaType: 'application/pdf',
              source: { kind: 'base64', mediaType: 'application/pdf', data: PDF },
              title: 'Report',
            },
            { type: 'document', mediaType: 'application/pdf', source: { kind: 'url', url: 'https://example.com/a.pdf' } },
            { type: 'text', text: 'From the wiki' },
            { type: 'document', mediaType: 'text/plain', source: { kind: 'text', text: 'plain words' } },
            { type: 'document', mediaType: 'text/plain', source: { kind: 'text', text: 'one\n\ntwo' } },
            { type: 'document', mediaType: 'text/plain', source: { kind: 'text', text: 'single' }, cacheControl: { type: 'ephemeral' } },
          ],
        },
      ],
    ],
    [
      'assistant string content',
      { messages: [user('hi'), assistant('Hello!'), user('again')] },
      [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
        { role: 'user', content: [{ type: 'text', text: 'again' }] },
      ],
    ],
    [
      'tool_use and tool_result (string) with the tool name resolved from the earlier tool_use',
      {
        messages: [
          user('Weather in Paris?'),
          assistant([
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ]),
          user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' }]),
        ],
      },
      [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          ],
        },
        {
          role: 'tool',
          content: [{ type: 'tool_result', toolCallId: 'toolu_1', toolName: 'get_weather', content: [{ type: 'text', text: '18C' }] }],
        },
      ],
    ],
    [
      'tool_result with block content, is_error, and text after it split into a user message',
      {
        messages: [
          user('go'),
          assistant([
            { type: 'tool_use', id: 'a', name: 'shot', input: {} },
            { type: 'tool_use', id: 'b', name: 'calc', input: { x: 1 } },
          ]),
          user([
            {
              type: 'tool_result',
              tool_use_id: 'a',
              content: [
                { type: 'text', text: 'see' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              ],
            },
            { type: 'tool_result', tool_use_id: 'b', content: 'boom', is_error: true },
            { type: 'text', text: 'Carry on.' },
          ]),
        ],
      },
      [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_call', id: 'a', name: 'shot', arguments: '{}' },
            { type: 'tool_call', id: 'b', name: 'calc', arguments: '{"x":1}' },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'a',
              toolName: 'shot',
              content: [
                { type: 'text', text: 'see' },
                { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG } },
              ],
            },
            { type: 'tool_result', toolCallId: 'b', toolName: 'calc', content: [{ type: 'text', text: 'boom' }], isError: true },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Carry on.' }] },
      ],
    ],
    [
      'a tool_result without content, for an id never seen, has no name',
      { messages: [user([{ type: 'tool_result', tool_use_id: 'x' }])] },
      [{ role: 'tool', content: [{ type: 'tool_result', toolCallId: 'x', content: [] }] }],
    ],
    [
      'thinking and redacted_thinking round-trip their signature and data',
      {
        messages: [
          user('think'),
          assistant([
            { type: 'thinking', thinking: 'Let me see.', signature: 'sig-abc' },
            { type: 'redacted_thinking', data: 'opaque==' },
            { type: 'text', text: '42' },
          ]),
          user('why?'),
        ],
      },
      [
        { role: 'user', content: [{ type: 'text', text: 'think' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Let me see.', signature: 'sig-abc' },
            { type: 'reasoning', text: '', redactedData: 'opaque==' },
            { type: 'text', text: '42' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'why?' }] },
      ],
    ],
    [
      "thinking with an empty signature (another provider's reasoning) carries no signature",
      {
        messages: [
          user('q'),
          assistant([
            { type: 'thinking', thinking: 'hmm', signature: '' },
            { type: 'text', text: 'a' },
          ]),
          user('q2'),
        ],
      },
      [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'hmm' },
            { type: 'text', text: 'a' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'q2' }] },
      ],
    ],
    [
      'an empty final assistant message (prefill) is dropped',
      { messages: [user('q'), assistant([])] },
      [{ role: 'user', content: [{ type: 'text', text: 'q' }] }],
    ],
    [
      'a final assistant prefill is kept',
      { messages: [user('q'), assistant('The answer is (')] },
      [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'The answer is (' }] },
      ],
    ],
    [
      'top-level cache_control marks the last cacheable block',
      {
        system: 'sys',
        messages: [user('first'), assistant('reply'), user([{ type: 'text', text: 'last' }])],
        cache_control: { type: 'ephemeral' },
      },
      [
        { role: 'system', content: [{ type: 'text', text: 'sys' }] },
        { role: 'user', content: [{ type: 'text', text: 'first' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'reply' }] },
        { role: 'user', content: [{ type: 'text', text: 'last', cacheControl: { type: 'ephemeral' } }] },
      ],
    ],
  ];

  it.each(cases)('%s', (_name, body, expected) => {
    expect(decode(body).messages).toEqual(expected);
  });
});

describe('Anthropic front door: bad messages -> 400 naming the field, Anthropic style', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['message not an object', ['hi'], 'messages.0', /an object/],
    ['role missing', [{ content: 'hi' }], 'messages.0.role', /Field required/],
    ['role unknown', [{ role: 'tool', content: 'hi' }], 'messages.0.role', /'user', 'assistant' or 'system'/],
    ['content missing', [{ role: 'user' }], 'messages.0.content', /Field required/],
    ['content a number', [{ role: 'user', content: 5 }], 'messages.0.content', /valid list/],
    [
      'empty user content',
      [{ role: 'user', content: '' }],
      'messages.0.content',
      /non-empty content except for the optional final assistant message/,
    ],
    ['empty assistant content before the end', [user('a'), assistant([]), user('b')], 'messages.1.content', /non-empty content/],
    ['block not an object', [user(['hi'])], 'messages.0.content.0', /an object/],
    ['block type missing', [user([{ text: 'hi' }])], 'messages.0.content.0.type', /Field required/],
    ['text without text', [user([{ type: 'text' }])], 'messages.0.content.0.text', /Field required/],
    [
      'text cache_control bad',
      [user([{ type: 'text', text: 'a', cache_control: { type: 'forever' } }])],
      'messages.0.content.0.cache_control.type',
      /'ephemeral'/,
    ],
    ['image without source', [user([{ type: 'image' }])], 'messages.0.content.0.source', /Field required/],
    [
      'image source type unknown',
      [user([{ type: 'image', source: { type: 'path', path: '/x' } }])],
      'messages.0.content.0.source.type',
      /'base64', 'url' or 'file'/,
    ],
    [
      'image media type unsupported',
      [user('x'), assistant('y'), user([{ type: 'image', source: { type: 'base64', media_type: 'image/tiff', data: 'AA==' } }])],
      'messages.2.content.0.source.media_type',
      /'image\/jpeg', 'image\/png', 'image\/gif' or 'image\/webp'/,
    ],
    [
      'image base64 without data',
      [user([{ type: 'image', source: { type: 'base64', media_type: 'image/png' } }])],
      'messages.0.content.0.source.data',
      /Field required/,
    ],
    ['image url without url', [user([{ type: 'image', source: { type: 'url' } }])], 'messages.0.content.0.source.url', /Field required/],
    [
      'image from the Files API',
      [user([{ type: 'image', source: { type: 'file', file_id: 'file_1' } }])],
      'messages.0.content.0.source.type',
      /Files API.*not supported/,
    ],
    [
      'document base64 not a pdf',
      [user([{ type: 'document', source: { type: 'base64', media_type: 'application/msword', data: 'AA==' } }])],
      'messages.0.content.0.source.media_type',
      /'application\/pdf'/,
    ],
    [
      'document text with the wrong media type',
      [user([{ type: 'document', source: { type: 'text', media_type: 'text/html', data: '<p>' } }])],
      'messages.0.content.0.source.media_type',
      /'text\/plain'/,
    ],
    [
      'document content source with an image',
      [user([{ type: 'document', source: { type: 'content', content: [{ type: 'image', source: { type: 'url', url: 'https://x' } }] } }])],
      'messages.0.content.0.source.content.0.type',
      /only 'text'/,
    ],
    [
      'document from the Files API',
      [user([{ type: 'document', source: { type: 'file', file_id: 'file_1' } }])],
      'messages.0.content.0.source.type',
      /Files API/,
    ],
    [
      'document title not a string',
      [user([{ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' }, title: 1 }])],
      'messages.0.content.0.title',
      /valid string/,
    ],
    [
      'tool_use in a user message',
      [user([{ type: 'tool_use', id: 'a', name: 'f', input: {} }])],
      'messages.0.content.0.type',
      /'tool_use' is not allowed here/,
    ],
    [
      'thinking in a user message',
      [user([{ type: 'thinking', thinking: 'x', signature: 's' }])],
      'messages.0.content.0.type',
      /'thinking' is not allowed here/,
    ],
    [
      'tool_result in an assistant message',
      [user('a'), assistant([{ type: 'tool_result', tool_use_id: 'a', content: 'x' }])],
      'messages.1.content.0.type',
      /'tool_result' is not allowed here/,
    ],
    [
      'image in a system message',
      [{ role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'https://x' } }] }, user('q')],
      'messages.0.content.0.type',
      /expected one of 'text'/,
    ],
    [
      'tool_use without id',
      [user('a'), assistant([{ type: 'tool_use', name: 'f', input: {} }])],
      'messages.1.content.0.id',
      /Field required/,
    ],
    [
      'tool_use without name',
      [user('a'), assistant([{ type: 'tool_use', id: 'a', input: {} }])],
      'messages.1.content.0.name',
      /Field required/,
    ],
    [
      'tool_use input not an object',
      [user('a'), assistant([{ type: 'tool_use', id: 'a', name: 'f', input: '{}' }])],
      'messages.1.content.0.input',
      /an object/,
    ],
    [
      'tool_result without tool_use_id',
      [user([{ type: 'tool_result', content: 'x' }])],
      'messages.0.content.0.tool_use_id',
      /Field required/,
    ],
    [
      'tool_result is_error not a boolean',
      [user([{ type: 'tool_result', tool_use_id: 'a', is_error: 'yes' }])],
      'messages.0.content.0.is_error',
      /valid boolean/,
    ],
    [
      'tool_result content with a document',
      [user([{ type: 'tool_result', tool_use_id: 'a', content: [{ type: 'document', source: { type: 'url', url: 'https://x' } }] }])],
      'messages.0.content.0.content.0.type',
      /'document' is not allowed here/,
    ],
    [
      'tool_result content with a search result',
      [user([{ type: 'tool_result', tool_use_id: 'a', content: [{ type: 'search_result', source: 's', title: 't', content: [] }] }])],
      'messages.0.content.0.content.0.type',
      /'search_result' are not supported/,
    ],
    [
      'thinking without signature',
      [user('a'), assistant([{ type: 'thinking', thinking: 'x' }])],
      'messages.1.content.0.signature',
      /Field required/,
    ],
    [
      'redacted_thinking without data',
      [user('a'), assistant([{ type: 'redacted_thinking' }])],
      'messages.1.content.0.data',
      /Field required/,
    ],
    [
      'server_tool_use block',
      [user('a'), assistant([{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }])],
      'messages.1.content.0.type',
      /'server_tool_use' are not supported/,
    ],
    [
      'web_search_tool_result block',
      [user('a'), assistant([{ type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] }])],
      'messages.1.content.0.type',
      /'web_search_tool_result' are not supported/,
    ],
    [
      'unknown block type',
      [user([{ type: 'audio', data: 'x' }])],
      'messages.0.content.0.type',
      /'audio' is not allowed here; expected one of 'text', 'image', 'document', 'tool_result'/,
    ],
  ];

  it.each(cases)('%s', (_name, messages, param, message) => {
    const error = decodeError({ ...BASE_BODY, messages });
    expect(error.kind).toBe('invalid_request');
    expect(error.param).toBe(param);
    expect(error.message.startsWith(`${param}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('system: non-text blocks are refused under `system`', () => {
    const error = decodeError({ ...BASE_BODY, system: [{ type: 'image', source: { type: 'url', url: 'https://x' } }] });
    expect(error.param).toBe('system.0.type');
  });

  it('a decoded body keeps working when messages are valid (sanity for the helper)', () => {
    expect(decodeMessages([user('ok')]).messages).toHaveLength(1);
  });
});
