// The official OpenAI SDK -> the running gateway (OpenAI front door) -> a `bedrock` backend
// served by the Bedrock mock, which verifies every SigV4 signature and answers in Converse JSON
// or binary event-stream frames.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { startBedrockMockServer, type BedrockMockServer } from '../../mocks/bedrock-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { usage } from './bedrock-capture-support.js';
import { CLAUDE_MODEL_ID, TEST_AWS_IDENTITY } from './bedrock-test-target.js';

const API_VERSION = 'switchyard.dev/v1alpha1';
const VIRTUAL_KEY = 'sk-sy-bedrockIntegration0123456789abcdefXYZ';
const TEMPORARY_IDENTITY = {
  accessKeyId: 'ASIABEDROCKINTEGRATE',
  secretAccessKey: 'temporary/secret+value',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLESESSION',
};

function manifests(mockUrl: string): string {
  const retry = { attempts: 3, backoff: { initial: '10ms', max: '100ms' }, on: ['RateLimited', 'ServerError', 'Timeout', 'ConnectError'] };
  const route = (name: string, secret: string): unknown => ({
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      model: name,
      backends: [
        {
          name: `${name}-backend`,
          provider: 'bedrock',
          model: CLAUDE_MODEL_ID,
          baseURL: mockUrl,
          bedrock: { region: 'us-east-1' },
          credentials: [{ secretRef: { name: secret } }],
        },
      ],
      retry,
      outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' },
    },
  });
  const objects = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws', namespace: 'default' }, stringData: TEST_AWS_IDENTITY },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-temporary', namespace: 'default' }, stringData: TEMPORARY_IDENTITY },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'aws-wrong', namespace: 'default' },
      stringData: { ...TEST_AWS_IDENTITY, secretAccessKey: 'not-the-secret-0123456789' },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'integration-key', namespace: 'default' }, stringData: { key: VIRTUAL_KEY } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name: 'integration', namespace: 'default' },
      spec: { secretName: 'integration-key' },
    },
    route('claude-bedrock', 'aws'),
    route('claude-bedrock-temporary', 'aws-temporary'),
    route('claude-bedrock-wrong-key', 'aws-wrong'),
  ];
  return `${objects.map((object) => JSON.stringify(object, null, 2)).join('\n---\n')}\n`;
}

let bedrock: BedrockMockServer;
let gateway: GatewayProcess;
let client: OpenAI;

beforeAll(async () => {
  bedrock = await startBedrockMockServer({ identities: [TEST_AWS_IDENTITY, TEMPORARY_IDENTITY] });
  gateway = await startGateway({ manifests: { 'bedrock.yaml': manifests(bedrock.url) } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: VIRTUAL_KEY, maxRetries: 0, timeout: 20_000 });
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await bedrock?.close();
});
beforeEach(() => {
  bedrock.setDefaultReply({ capture: 'amazon-bedrock-text' });
});

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

function lastCall() {
  const call = bedrock.calls[bedrock.calls.length - 1];
  if (!call) throw new Error('the Bedrock mock received no call');
  return call;
}

describe('OpenAI SDK -> gateway -> bedrock backend', () => {
  it('text: the answer, exact usage, and the Converse request Bedrock received', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'claude-bedrock',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'How many r in strawberry?' },
        ],
        max_tokens: 200,
        temperature: 0.3,
        stop: ['END'],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(
      'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."',
    );
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 22, completion_tokens: 57, total_tokens: 79 });
    expect(data.model).toBe('claude-bedrock');
    expect(response.headers.get('x-switchyard-backend')).toBe('claude-bedrock-backend');
    expect(lastCall()).toMatchObject({ operation: 'converse', modelId: CLAUDE_MODEL_ID, status: 200 });
    expect(lastCall().body).toEqual({
      system: [{ text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ text: 'How many r in strawberry?' }] }],
      inferenceConfig: { maxTokens: 200, temperature: 0.3, stopSequences: ['END'] },
    });
  });

  it('streaming: text deltas from binary frames, finish reason and usage', async () => {
    bedrock.enqueue({ capture: 'amazon-bedrock-text', chunkSize: 11 });
    const stream = await client.chat.completions.create({
      model: 'claude-bedrock',
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finishReason: string | null | undefined;
    let reportedUsage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      if (chunk.usage) reportedUsage = chunk.usage;
    }
    expect(text).toBe('Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."');
    expect(finishReason).toBe('stop');
    expect(reportedUsage).toMatchObject({ prompt_tokens: 22, completion_tokens: 55, total_tokens: 77 });
    expect(lastCall().operation).toBe('converse-stream');
  });

  it('tools, not streamed: a tool call with cached-prompt usage counted exactly', async () => {
    const scripted: UnifiedChatResponse = {
      id: 'x',
      model: CLAUDE_MODEL_ID,
      created: 0,
      content: [{ type: 'tool_call', id: 'tooluse_paris', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      finishReason: 'tool_calls',
      usage: usage(1250, 40, 1000, 200),
    };
    bedrock.enqueue({ response: scripted });
    const data = await client.chat.completions.create({
      model: 'claude-bedrock',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: 'required',
    });
    const call = data.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function : undefined).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(call?.id).toBe('tooluse_paris');
    expect(data.choices[0]?.finish_reason).toBe('tool_calls');
    expect(data.usage).toMatchObject({ prompt_tokens: 1250, completion_tokens: 40, total_tokens: 1290 });
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(1000);
    expect(lastCall().body).toMatchObject({
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }], toolChoice: { any: {} } },
    });
  });

  it('tools, streamed: the recorded tool-call stream becomes OpenAI tool-call deltas', async () => {
    bedrock.enqueue({ capture: 'amazon-bedrock-tool-call.1' });
    const stream = await client.chat.completions.create({
      model: 'claude-bedrock',
      messages: [{ role: 'user', content: 'Go' }],
      tools,
      stream: true,
    });
    const calls = new Map<number, { id?: string; name: string; arguments: string }>();
    let finishReason: string | null | undefined;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const current = calls.get(delta.index) ?? { name: '', arguments: '' };
        if (delta.id) current.id = delta.id;
        current.name += delta.function?.name ?? '';
        current.arguments += delta.function?.arguments ?? '';
        calls.set(delta.index, current);
      }
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
    expect([...calls.values()]).toEqual([{ id: 'tool-use-id', name: 'test-tool', arguments: '{"value":"Sparkle Day"}' }]);
    expect(finishReason).toBe('tool_calls');
  });

  it('a tool-result turn is sent as Converse toolUse/toolResult blocks', async () => {
    await client.chat.completions.create({
      model: 'claude-bedrock',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C and sunny' },
      ],
      tools,
    });
    expect(lastCall().body).toMatchObject({
      messages: [
        { role: 'user', content: [{ text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'call_1', content: [{ text: '18C and sunny' }] } }] },
      ],
    });
  });

  it('session credentials are signed with x-amz-security-token', async () => {
    const data = await client.chat.completions.create({ model: 'claude-bedrock-temporary', messages: [{ role: 'user', content: 'hi' }] });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(lastCall().headers['x-amz-security-token']).toBe(TEMPORARY_IDENTITY.sessionToken);
  });
});

describe('Bedrock failures through the gateway', () => {
  it('throttling is retried and the second attempt answers', async () => {
    bedrock.enqueue({
      error: { status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
    });
    const callsBefore = bedrock.calls.length;
    const { data, response } = await client.chat.completions
      .create({ model: 'claude-bedrock', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain('strawberry');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(bedrock.calls.slice(callsBefore).map((call) => call.status)).toEqual([429, 200]);
  });

  it('a throttling exception right after messageStart is retried before the client sees anything', async () => {
    bedrock.enqueue({
      capture: 'amazon-bedrock-text',
      exceptionAfter: { events: 1, type: 'throttlingException', message: 'Too many tokens, please wait.' },
    });
    const callsBefore = bedrock.calls.length;
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'claude-bedrock', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(bedrock.calls.length - callsBefore).toBe(2);
  });

  it('an exception event mid-stream ends the stream with an error after the text before it', async () => {
    bedrock.enqueue({
      capture: 'amazon-bedrock-text',
      exceptionAfter: { events: 6, type: 'modelStreamErrorException', message: 'The model stopped unexpectedly.' },
    });
    const stream = await client.chat.completions.create({
      model: 'claude-bedrock',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    let failure: unknown;
    try {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    } catch (error) {
      failure = error;
    }
    expect(text).toBe('Let me count the "r"s in "strawberry":\n\ns-t-**');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(String((failure as Error).message)).toContain('The model stopped unexpectedly.');
  });

  it("a signature Bedrock refuses is the gateway's credential problem: 502, no secret in the answer", async () => {
    const failure = await client.chat.completions
      .create({ model: 'claude-bedrock-wrong-key', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    const text = JSON.stringify((failure as InstanceType<typeof OpenAI.APIError>).error);
    expect(text).toContain('InvalidSignatureException');
    expect(text).not.toContain('not-the-secret-0123456789');
    expect(text).not.toContain('Canonical String');
    expect(lastCall().errorType).toBe('InvalidSignatureException');
  });
});
