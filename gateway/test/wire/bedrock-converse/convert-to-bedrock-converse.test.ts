import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { UnsupportedFeatureError } from '../../../src/errors/unsupported-feature-error.js';
import { convertToBedrockConverse } from '../../../src/wire/bedrock-converse/convert-to-bedrock-converse.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import { bedrockTarget, chatRequest } from '../../providers/bedrock/bedrock-test-target.js';

const user = (text: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] });
const weatherTool = {
  name: 'get_weather',
  description: 'Weather by city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const weatherSpec = { toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: weatherTool.parameters } } };
const PNG_BASE64 = 'iVBORw0KGgo=';

interface Case {
  name: string;
  request: Partial<UnifiedChatRequest>;
  model?: string;
  expected: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'system messages are hoisted in order into system blocks',
    request: {
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        user('Hi'),
        { role: 'system', content: [{ type: 'text', text: 'Answer in French.' }] },
      ],
    },
    expected: { system: [{ text: 'Be brief.' }, { text: 'Answer in French.' }], messages: [{ role: 'user', content: [{ text: 'Hi' }] }] },
  },
  {
    name: 'consecutive turns of one role are merged so roles alternate',
    request: { messages: [user('a'), user('b'), { role: 'assistant', content: [{ type: 'text', text: 'c' }] }] },
    expected: {
      messages: [
        { role: 'user', content: [{ text: 'a' }, { text: 'b' }] },
        { role: 'assistant', content: [{ text: 'c' }] },
      ],
    },
  },
  {
    name: 'blank text parts and the messages they empty are dropped',
    request: {
      messages: [
        user('a'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: '' },
            { type: 'text', text: ' \n' },
          ],
        },
        user('b'),
      ],
    },
    expected: { messages: [{ role: 'user', content: [{ text: 'a' }, { text: 'b' }] }] },
  },
  {
    name: 'tool calls and results become toolUse/toolResult, results are user content, tools declared',
    request: {
      tools: [weatherTool],
      messages: [
        user('Weather in Paris?'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', id: 'call-1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          ],
        },
        {
          role: 'tool',
          content: [{ type: 'tool_result', toolCallId: 'call-1', toolName: 'get_weather', content: [{ type: 'text', text: '18C' }] }],
        },
        {
          role: 'tool',
          content: [{ type: 'tool_result', toolCallId: 'call-2', content: [{ type: 'text', text: 'boom' }], isError: true }],
        },
      ],
    },
    expected: {
      messages: [
        { role: 'user', content: [{ text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'call-1', name: 'get_weather', input: { city: 'Paris' } } }],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 'call-1', content: [{ text: '18C' }] } },
            { toolResult: { toolUseId: 'call-2', content: [{ text: 'boom' }], status: 'error' } },
          ],
        },
      ],
      toolConfig: { tools: [weatherSpec] },
    },
  },
  {
    name: 'tools used in history but not offered are declared with an open schema',
    request: {
      messages: [
        user('q'),
        { role: 'assistant', content: [{ type: 'tool_call', id: 't1', name: 'lookup', arguments: '' }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 't1', content: [] }] },
      ],
    },
    expected: {
      messages: [
        { role: 'user', content: [{ text: 'q' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'lookup', input: {} } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: '(no output)' }] } }] },
      ],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'lookup',
              description: 'A tool used earlier in this conversation.',
              inputSchema: { json: { type: 'object' } },
            },
          },
        ],
      },
    },
  },
  {
    name: 'base64 and data-URL images become inline bytes',
    request: {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG_BASE64 } },
            { type: 'image', source: { kind: 'url', url: `data:image/jpeg;base64,${PNG_BASE64}` } },
          ],
        },
      ],
    },
    expected: {
      messages: [
        {
          role: 'user',
          content: [
            { image: { format: 'png', source: { bytes: PNG_BASE64 } } },
            { image: { format: 'jpeg', source: { bytes: PNG_BASE64 } } },
          ],
        },
      ],
    },
  },
  {
    name: 'documents get a format and a Converse-safe name',
    request: {
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              mediaType: 'application/pdf',
              filename: 'Q3_report.v2.pdf',
              source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' },
            },
            { type: 'document', mediaType: 'text/plain', source: { kind: 'text', text: 'plain notes' } },
          ],
        },
      ],
    },
    expected: {
      messages: [
        {
          role: 'user',
          content: [
            { document: { format: 'pdf', name: 'Q3-report-v2', source: { bytes: 'JVBERi0=' } } },
            { document: { format: 'txt', name: 'document 2', source: { bytes: Buffer.from('plain notes').toString('base64') } } },
          ],
        },
      ],
    },
  },
  {
    name: 'reasoning parts round-trip with signature or redacted data',
    request: {
      messages: [
        user('q'),
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'thinking...', signature: 'sig==' },
            { type: 'reasoning', text: '', redactedData: 'opaque==' },
            { type: 'text', text: 'answer' },
          ],
        },
      ],
    },
    expected: {
      messages: [
        { role: 'user', content: [{ text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'thinking...', signature: 'sig==' } } },
            { reasoningContent: { redactedContent: 'opaque==' } },
            { text: 'answer' },
          ],
        },
      ],
    },
  },
  {
    name: 'sampling settings go to inferenceConfig; seed, penalties and user are dropped',
    request: {
      maxOutputTokens: 300,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
      seed: 7,
      frequencyPenalty: 0.5,
      presencePenalty: 0.1,
      user: 'u1',
    },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      inferenceConfig: { maxTokens: 300, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    },
  },
  {
    name: 'tool_choice auto',
    request: { tools: [weatherTool], toolChoice: { type: 'auto' } },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      toolConfig: { tools: [weatherSpec], toolChoice: { auto: {} } },
    },
  },
  {
    name: 'tool_choice required -> any',
    request: { tools: [weatherTool], toolChoice: { type: 'required' } },
    expected: { messages: [{ role: 'user', content: [{ text: 'Hello' }] }], toolConfig: { tools: [weatherSpec], toolChoice: { any: {} } } },
  },
  {
    name: 'tool_choice tool -> tool by name',
    request: { tools: [weatherTool], toolChoice: { type: 'tool', name: 'get_weather' } },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      toolConfig: { tools: [weatherSpec], toolChoice: { tool: { name: 'get_weather' } } },
    },
  },
  {
    name: 'tool_choice none -> tools omitted',
    request: { tools: [weatherTool], toolChoice: { type: 'none' } },
    expected: { messages: [{ role: 'user', content: [{ text: 'Hello' }] }] },
  },
  {
    name: 'a tool without a schema gets an empty object schema',
    request: { tools: [{ name: 'ping', parameters: {} }] },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      toolConfig: { tools: [{ toolSpec: { name: 'ping', inputSchema: { json: { type: 'object', properties: {} } } } }] },
    },
  },
  {
    name: 'response_format json_schema (object root) alone -> forced answer tool',
    request: {
      responseFormat: { type: 'json_schema', name: 'city', schema: { type: 'object', properties: { name: { type: 'string' } } } },
    },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'switchyard_json_response',
              description: 'Give the final answer as this tool\'s input. It must match the "city" schema.',
              inputSchema: { json: { type: 'object', properties: { name: { type: 'string' } } } },
            },
          },
        ],
        toolChoice: { tool: { name: 'switchyard_json_response' } },
      },
    },
  },
  {
    name: 'response_format json_schema beside caller tools -> any tool must be called; a forced caller tool stays forced',
    request: {
      tools: [weatherTool],
      toolChoice: { type: 'tool', name: 'get_weather' },
      responseFormat: { type: 'json_schema', name: 'c', description: 'The city.', schema: { type: 'object' } },
    },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      toolConfig: {
        tools: [
          weatherSpec,
          { toolSpec: { name: 'switchyard_json_response', description: 'The city.', inputSchema: { json: { type: 'object' } } } },
        ],
        toolChoice: { tool: { name: 'get_weather' } },
      },
    },
  },
  {
    name: 'response_format json_schema with auto caller tools -> any',
    request: {
      tools: [weatherTool],
      responseFormat: { type: 'json_schema', name: 'c', description: 'The city.', schema: { type: 'object' } },
    },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      toolConfig: {
        tools: [
          weatherSpec,
          { toolSpec: { name: 'switchyard_json_response', description: 'The city.', inputSchema: { json: { type: 'object' } } } },
        ],
        toolChoice: { any: {} },
      },
    },
  },
  {
    name: 'response_format json_object -> system instruction, caller tools untouched',
    request: { tools: [weatherTool], responseFormat: { type: 'json_object' } },
    expected: {
      system: [{ text: 'Respond with a single valid JSON object and nothing else: no prose, no code fences.' }],
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      toolConfig: { tools: [weatherSpec] },
    },
  },
  {
    name: 'response_format json_schema with a non-object root -> system instruction carrying the schema',
    request: { responseFormat: { type: 'json_schema', name: 'names', schema: { type: 'array', items: { type: 'string' } } } },
    expected: {
      system: [
        {
          text: 'Respond with a single valid JSON value and nothing else (no prose, no code fences) that conforms to this JSON Schema named "names":\n{"type":"array","items":{"type":"string"}}',
        },
      ],
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
    },
  },
  {
    name: 'response_format json_schema with Claude thinking -> system instruction (a tool cannot be forced while thinking)',
    request: { reasoning: { effort: 'medium' }, responseFormat: { type: 'json_schema', name: 'c', schema: { type: 'object' } } },
    expected: {
      system: [
        {
          text: 'Respond with a single valid JSON value and nothing else (no prose, no code fences) that conforms to this JSON Schema named "c":\n{"type":"object"}',
        },
      ],
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      inferenceConfig: { maxTokens: 4096 + 8192 },
      additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 8192 } },
    },
  },
  {
    name: 'reasoning effort on Claude -> thinking budget with room for the answer; sampling settings dropped while thinking',
    request: { reasoning: { effort: 'low' }, topK: 40, temperature: 0.5, topP: 0.9, stopSequences: ['X'] },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      inferenceConfig: { maxTokens: 4096 + 2048, stopSequences: ['X'] },
      additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 2048 } },
    },
  },
  {
    name: 'an effort budget is capped under the caller max tokens',
    request: { reasoning: { effort: 'high' }, maxOutputTokens: 3000 },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      inferenceConfig: { maxTokens: 3000 },
      additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 2999 } },
    },
  },
  {
    name: 'an explicit budget is used as given',
    request: { reasoning: { budgetTokens: 1500 }, maxOutputTokens: 2000 },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      inferenceConfig: { maxTokens: 2000 },
      additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1500 } },
    },
  },
  {
    name: 'effort minimal or a zero budget -> no thinking, sampling kept, top_k for Claude',
    request: { reasoning: { effort: 'minimal', budgetTokens: 0 }, temperature: 0.1, topK: 7 },
    expected: {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      inferenceConfig: { temperature: 0.1 },
      additionalModelRequestFields: { top_k: 7 },
    },
  },
  {
    name: 'reasoning and top_k are not sent to non-Anthropic models',
    model: 'meta.llama3-1-70b-instruct-v1:0',
    request: { reasoning: { effort: 'high' }, topK: 40, temperature: 0.4 },
    expected: { messages: [{ role: 'user', content: [{ text: 'Hello' }] }], inferenceConfig: { temperature: 0.4 } },
  },
  {
    name: 'cross-region inference profiles of Claude count as Anthropic',
    model: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
    request: { topK: 5 },
    expected: { messages: [{ role: 'user', content: [{ text: 'Hello' }] }], additionalModelRequestFields: { top_k: 5 } },
  },
  {
    name: 'cache_control adds cache points after the marked blocks',
    request: {
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'long system', cacheControl: { type: 'ephemeral' } }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'long context', cacheControl: { type: 'ephemeral' } },
            { type: 'text', text: 'question' },
          ],
        },
      ],
    },
    expected: {
      system: [{ text: 'long system' }, { cachePoint: { type: 'default' } }],
      messages: [{ role: 'user', content: [{ text: 'long context' }, { cachePoint: { type: 'default' } }, { text: 'question' }] }],
    },
  },
];

describe('convertToBedrockConverse', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const target = bedrockTarget(testCase.model ? { backend: { model: testCase.model } } : {});
    expect(convertToBedrockConverse(chatRequest(testCase.request), target)).toEqual(testCase.expected);
  });
});

describe('convertToBedrockConverse refusals', () => {
  const refusals: Array<[string, Partial<UnifiedChatRequest>, new (...args: never[]) => Error, RegExp]> = [
    [
      'an image URL (Converse needs bytes), naming the part',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'see' },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      },
      UnsupportedFeatureError,
      /image by URL \(messages\[0\]\.content\[1\]\).*bedrock/,
    ],
    [
      'an image type Bedrock does not take',
      { messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/bmp', data: 'Qk0=' } }] }] },
      UnsupportedFeatureError,
      /image type image\/bmp \(messages\[0\]\.content\[0\]\)/,
    ],
    [
      'a document URL',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'document', mediaType: 'application/pdf', source: { kind: 'url', url: 'https://example.com/a.pdf' } }],
          },
        ],
      },
      UnsupportedFeatureError,
      /document by URL/,
    ],
    [
      'tool call arguments that are not JSON',
      { messages: [user('q'), { role: 'assistant', content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{nope' }] }] },
      GatewayError,
      /messages\[1\]\.content\[0\] are not valid JSON/,
    ],
    [
      'tool_choice naming an unknown tool',
      { tools: [weatherTool], toolChoice: { type: 'tool', name: 'nope' } },
      GatewayError,
      /"nope", which is not among/,
    ],
    [
      'a caller tool using the reserved answer-tool name',
      { tools: [{ name: 'switchyard_json_response', parameters: {} }] },
      GatewayError,
      /reserved/,
    ],
    [
      'a thinking budget below 1024',
      { reasoning: { budgetTokens: 500 } },
      GatewayError,
      /below Anthropic's minimum thinking budget of 1024/,
    ],
    [
      'a thinking budget not below the max tokens',
      { reasoning: { budgetTokens: 5000 }, maxOutputTokens: 3000 },
      GatewayError,
      /must be less than the max output tokens 3000/,
    ],
    [
      'an effort whose cap leaves under 1024 tokens',
      { reasoning: { effort: 'low' }, maxOutputTokens: 1000 },
      GatewayError,
      /leave no room/,
    ],
    [
      'an image in a system message',
      {
        messages: [
          { role: 'system', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG_BASE64 } }] },
          user('q'),
        ],
      },
      UnsupportedFeatureError,
      /image content in a system message/,
    ],
  ];

  it.each(refusals)('refuses %s', (_name, request, errorClass, message) => {
    const run = () => convertToBedrockConverse(chatRequest(request), bedrockTarget());
    expect(run).toThrow(errorClass);
    expect(run).toThrow(message);
  });

  it('names the offending field in the 400', () => {
    try {
      convertToBedrockConverse(chatRequest({ tools: [weatherTool], toolChoice: { type: 'tool', name: 'nope' } }), bedrockTarget());
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).status).toBe(400);
      expect((error as GatewayError).param).toBe('tool_choice');
    }
  });
});
