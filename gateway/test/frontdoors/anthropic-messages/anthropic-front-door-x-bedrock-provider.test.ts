// The official Anthropic SDK -> the running gateway's Anthropic front door -> a `bedrock`
// backend served by the Bedrock mock (SigV4 checked on every call; Converse JSON and binary
// event-stream frames).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type Anthropic from '@anthropic-ai/sdk';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { startBedrockMockServer, type BedrockMockServer } from '../../mocks/bedrock-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { anthropicClient, documents, PNG_1X1, route, secret, virtualKey, WEATHER_TOOL } from './anthropic-sdk-support.js';

const CELL = 'anthropic front door x bedrock provider';
const CLAUDE_MODEL_ID = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const AWS_IDENTITY = { accessKeyId: 'AKIDANTHROPICDOOR001', secretAccessKey: 'anthropic/front+door/secret/0123456789' };
const RECORDED_TEXT = 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."';
const RECORDED_STREAM_TEXT =
  'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."';

let bedrock: BedrockMockServer;
let gateway: GatewayProcess;
let client: Anthropic;

beforeAll(async () => {
  bedrock = await startBedrockMockServer({ identities: [AWS_IDENTITY] });
  const backend = {
    name: 'bedrock-main',
    provider: 'bedrock',
    model: CLAUDE_MODEL_ID,
    baseURL: bedrock.url,
    bedrock: { region: 'us-east-1' },
    credentials: [{ secretRef: { name: 'aws' } }],
  };
  gateway = await startGateway({
    manifests: {
      'bedrock.yaml': documents(
        secret('aws', AWS_IDENTITY),
        ...virtualKey(),
        route('claude-bedrock', [backend], { retry: { attempts: 1 } }),
      ),
    },
  });
  client = anthropicClient(gateway);
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await bedrock?.close();
});
beforeEach(() => bedrock.setDefaultReply({ capture: 'amazon-bedrock-text' }));

function lastCall(): { operation: string | undefined; body: unknown; status: number } {
  const call = bedrock.calls[bedrock.calls.length - 1];
  if (call === undefined) throw new Error('the Bedrock mock received no call');
  return call;
}

const usage = (inputTokens: number, outputTokens: number, cachedInputTokens = 0, cacheWriteTokens = 0): UnifiedChatResponse['usage'] => ({
  inputTokens,
  outputTokens,
  cachedInputTokens,
  cacheWriteTokens,
  reasoningTokens: 0,
});

describe(CELL, () => {
  it(`${CELL}: text: the Converse request Bedrock received, the answer and exact usage`, async () => {
    const message = await client.messages.create({
      model: 'claude-bedrock',
      max_tokens: 200,
      system: 'Be brief.',
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
    });
    expect(message.model).toBe('claude-bedrock');
    expect(message.content).toEqual([{ type: 'text', text: RECORDED_TEXT }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toEqual({ input_tokens: 22, output_tokens: 57, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(lastCall()).toMatchObject({ operation: 'converse', status: 200 });
    expect(lastCall().body).toEqual({
      system: [{ text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ text: 'How many r in strawberry?' }] }],
      inferenceConfig: { maxTokens: 200, stopSequences: ['END'] },
    });
  });

  it(`${CELL}: streaming with client.messages.stream (binary frames): text and usage`, async () => {
    bedrock.enqueue({ capture: 'amazon-bedrock-text', chunkSize: 13 });
    const stream = client.messages.stream({
      model: 'claude-bedrock',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe(RECORDED_STREAM_TEXT);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 22, output_tokens: 55 });
    expect(lastCall().operation).toBe('converse-stream');
  });

  it(`${CELL}: streaming with create({stream: true}): the event sequence`, async () => {
    const stream = await client.messages.create({
      model: 'claude-bedrock',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'q' }],
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.filter((t) => t !== 'ping' && t !== 'content_block_delta')).toEqual([
      'message_start',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it(`${CELL}: tool use, not streamed: toolUse becomes tool_use; cached-prompt usage is split exactly`, async () => {
    bedrock.enqueue({
      response: {
        id: 'x',
        model: CLAUDE_MODEL_ID,
        created: 0,
        content: [{ type: 'tool_call', id: 'tooluse_paris', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        finishReason: 'tool_calls',
        usage: usage(1250, 40, 1000, 200),
      },
    });
    const message = await client.messages.create({
      model: 'claude-bedrock',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'any' },
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([{ type: 'tool_use', id: 'tooluse_paris', name: 'get_weather', input: { city: 'Paris' } }]);
    expect(message.usage).toEqual({ input_tokens: 50, output_tokens: 40, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 });
    expect(lastCall().body).toMatchObject({
      toolConfig: {
        tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: WEATHER_TOOL.input_schema } } }],
        toolChoice: { any: {} },
      },
    });
  });

  it(`${CELL}: tool use, streamed: the recorded tool-call stream becomes a tool_use block`, async () => {
    bedrock.enqueue({ capture: 'amazon-bedrock-tool-call.1' });
    const final = await client.messages
      .stream({
        model: 'claude-bedrock',
        max_tokens: 200,
        messages: [{ role: 'user', content: 'Go' }],
        tools: [{ name: 'test-tool', input_schema: { type: 'object', properties: { value: { type: 'string' } } } }],
      })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.filter((block) => block.type === 'tool_use')).toEqual([
      { type: 'tool_use', id: 'tool-use-id', name: 'test-tool', input: { value: 'Sparkle Day' } },
    ]);
  });

  it(`${CELL}: a tool conversation reaches Bedrock as toolUse and toolResult blocks`, async () => {
    await client.messages.create({
      model: 'claude-bedrock',
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18C and sunny', is_error: false }] },
      ],
    });
    expect(lastCall().body).toMatchObject({
      messages: [
        { role: 'user', content: [{ text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'toolu_1', content: [{ text: '18C and sunny' }] } }] },
      ],
    });
  });

  it(`${CELL}: base64 images become Converse image bytes`, async () => {
    await client.messages.create({
      model: 'claude-bedrock',
      max_tokens: 200,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
            { type: 'text', text: 'What is it?' },
          ],
        },
      ],
    });
    expect(lastCall().body).toMatchObject({
      messages: [{ role: 'user', content: [{ image: { format: 'png', source: { bytes: PNG_1X1 } } }, { text: 'What is it?' }] }],
    });
  });

  it(`${CELL}: thinking: the budget goes to Claude on Bedrock; reasoning and its signature come back`, async () => {
    bedrock.enqueue({ capture: 'amazon-bedrock-reasoning' });
    const message = await client.messages.create({
      model: 'claude-bedrock',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
    });
    expect(lastCall().body).toMatchObject({ additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } } });
    const thinking = message.content[0] as Anthropic.ThinkingBlock;
    expect(thinking.type).toBe('thinking');
    expect(thinking.thinking).toBe('Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nThere are 3 r\'s.');
    expect(thinking.signature).toMatch(/^EvYBCkgICxABGAIqQA9E9VC377/);
    expect(message.content[1]).toEqual({ type: 'text', text: 'There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y' });
    expect(message.usage).toMatchObject({ input_tokens: 51, output_tokens: 78 });

    await client.messages.create({
      model: 'claude-bedrock',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'How many r in strawberry?' },
        { role: 'assistant', content: message.content as Anthropic.ContentBlockParam[] },
        { role: 'user', content: 'Sure?' },
      ],
    });
    const sent = (lastCall().body as { messages: Array<{ content: unknown[] }> }).messages;
    expect(sent[1]?.content[0]).toEqual({
      reasoningContent: { reasoningText: { text: thinking.thinking, signature: thinking.signature } },
    });
  });
});
