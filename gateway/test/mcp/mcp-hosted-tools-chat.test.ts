// Hosted tools for Chat Completions (ModelRoute spec.mcp) through a standalone gateway process:
// the official OpenAI SDK asks a question, the model (a loopback OpenAI API speaking the real
// wire format) calls a tool of an MCPServer (the official MCP SDK's server on loopback), the
// gateway runs it, feeds the result back and returns the model's final answer, streamed or not,
// with the usage of every round added up. Also: the last allowed round asks for text, a key
// without spec.mcp gets no tools, a caller's tool with a hosted tool's name is refused, and a
// round that calls the caller's own tool hands it back without running the hosted one, and the
// key's guardrails refuse a hosted call as they would on POST /mcp (the model reads the refusal).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { API_VERSION, documents, openAIBackend, openAIClient, secretObject, testKey } from '../core/core-fixtures.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { policyObject } from '../guardrails/guardrail-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { echoTool, startSdkUpstream, type RunningUpstream } from './mcp-upstreams.js';

const KEY = testKey('hostedtools');
const NO_MCP_KEY = testKey('hostednomcp');
const USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };

function key(name: string, plaintext: string, mcp?: Record<string, unknown>): unknown[] {
  return [
    secretObject(`${name}-key`, { key: plaintext }),
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name, namespace: 'default', labels: { tier: name } },
      spec: { secretName: `${name}-key`, ...(mcp === undefined ? {} : { mcp }) },
    },
  ];
}

function route(name: string, mockUrl: string, maxRounds: number): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: { model: name, backends: [openAIBackend('main', mockUrl)], retry: { attempts: 1 }, mcp: { servers: ['tools'], maxRounds } },
  };
}

const toolCall = (id: string, name: string, args: Record<string, unknown>) => ({ id, name, arguments: JSON.stringify(args) });

describe('hosted tools for chat completions (ModelRoute spec.mcp)', () => {
  let model: OpenAIMockServer;
  let tools: RunningUpstream;
  let gateway: GatewayProcess;
  let client: OpenAI;

  beforeAll(async () => {
    model = await startOpenAIMockServer();
    tools = await startSdkUpstream([echoTool('echo')], { stateful: false });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name: 'tools', namespace: 'default' }, spec: { url: tools.url } },
          route('assistant', model.url, 3),
          route('short', model.url, 2),
          ...key('agent', KEY, { allowedTools: ['tools__*'] }),
          ...key('plain', NO_MCP_KEY),
          policyObject('agent-pii', { tier: 'agent' }, [
            { name: 'cards', type: 'pii', entities: ['credit_card'], on: 'input', action: 'block' },
          ]),
        ),
      },
    });
    client = openAIClient(gateway, KEY);
  });

  beforeEach(() => {
    model.reset();
    tools.calls.length = 0;
  });

  afterAll(async () => {
    await gateway?.stop();
    await tools?.close();
    await model?.close();
  });

  it('runs the tool the model asks for and returns the final answer with the usage of both rounds', async () => {
    model.script(
      { toolCalls: [toolCall('call_1', 'tools__echo', { text: 'the weather in Lisbon' })], finishReason: 'tool_calls', usage: USAGE },
      { content: 'It is sunny in Lisbon.', usage: USAGE },
    );
    const completion = await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: 'weather?' }] });
    expect(completion.choices[0]?.message.content).toBe('It is sunny in Lisbon.');
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.usage).toMatchObject({ prompt_tokens: 22, completion_tokens: 14, total_tokens: 36 });

    expect(tools.calls).toEqual([{ name: 'echo', arguments: { text: 'the weather in Lisbon' } }]);
    const [first, second] = model.chatRequests;
    expect(((first?.tools ?? []) as Array<{ function: { name: string } }>).map((tool) => tool.function.name)).toEqual(['tools__echo']);
    const history = (second?.messages ?? []) as Array<Record<string, unknown>>;
    expect(history.slice(1)).toEqual([
      expect.objectContaining({
        role: 'assistant',
        tool_calls: [expect.objectContaining({ id: 'call_1', function: expect.objectContaining({ name: 'tools__echo' }) })],
      }),
      expect.objectContaining({ role: 'tool', tool_call_id: 'call_1', content: 'the weather in Lisbon' }),
    ]);
    await eventually(async () => gateway.logs().includes('"tool":"tools__echo"'));
  });

  it('streams: text of every round reaches the caller, the hosted call does not, usage is summed', async () => {
    model.script(
      {
        content: 'Let me check. ',
        toolCalls: [toolCall('call_2', 'tools__echo', { text: 'stream me' })],
        finishReason: 'tool_calls',
        usage: USAGE,
      },
      { content: 'Done: stream me.', usage: USAGE },
    );
    const stream = await client.chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let sawToolCall = false;
    let usage: OpenAI.CompletionUsage | undefined;
    const finishReasons: string[] = [];
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      text += choice?.delta.content ?? '';
      if (choice?.delta.tool_calls !== undefined) sawToolCall = true;
      if (choice?.finish_reason) finishReasons.push(choice.finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Let me check. Done: stream me.');
    expect(sawToolCall).toBe(false);
    expect(finishReasons).toEqual(['stop']);
    expect(usage).toMatchObject({ prompt_tokens: 22, completion_tokens: 14 });
    expect(tools.calls).toEqual([{ name: 'echo', arguments: { text: 'stream me' } }]);
  });

  it('the last allowed round is sent with tool_choice none', async () => {
    model.script(
      { toolCalls: [toolCall('call_3', 'tools__echo', { text: 'once' })], finishReason: 'tool_calls', usage: USAGE },
      { content: 'answered without more tools', usage: USAGE },
    );
    const completion = await client.chat.completions.create({ model: 'short', messages: [{ role: 'user', content: 'q' }] });
    expect(completion.choices[0]?.message.content).toBe('answered without more tools');
    expect(model.chatRequests.map((request) => request.tool_choice)).toEqual([undefined, 'none']);
  });

  it('a key without spec.mcp is offered no hosted tools', async () => {
    model.script({ content: 'plain answer', usage: USAGE });
    const completion = await openAIClient(gateway, NO_MCP_KEY).chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(completion.choices[0]?.message.content).toBe('plain answer');
    expect(model.chatRequests[0]?.tools).toBeUndefined();
  });

  it("a caller's tool with a hosted tool's name is refused; a round calling the caller's own tool hands it back unrun", async () => {
    const clash = client.chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'q' }],
      tools: [{ type: 'function', function: { name: 'tools__echo', parameters: { type: 'object' } } }],
    });
    await expect(clash).rejects.toMatchObject({ status: 400 });
    await expect(clash).rejects.toThrow('tool "tools__echo" is one of the caller\'s tools and a hosted tool of route default/assistant');

    model.script({
      toolCalls: [toolCall('call_4', 'tools__echo', { text: 'not run' }), toolCall('call_5', 'lookup', { id: 7 })],
      finishReason: 'tool_calls',
      usage: USAGE,
    });
    const completion = await client.chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'q' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.map((call) => call.type === 'function' && call.function.name)).toEqual(['lookup']);
    expect(tools.calls).toEqual([]);
    expect(model.chatRequests).toHaveLength(1);
  });

  it("the key's guardrails refuse a hosted call's arguments; the model reads the refusal, the tool never runs", async () => {
    model.script(
      {
        toolCalls: [toolCall('call_6', 'tools__echo', { text: 'pay with 4111 1111 1111 1111' })],
        finishReason: 'tool_calls',
        usage: USAGE,
      },
      { content: 'I cannot send card numbers to tools.', usage: USAGE },
    );
    const completion = await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: 'pay' }] });
    expect(completion.choices[0]?.message.content).toBe('I cannot send card numbers to tools.');
    expect(tools.calls).toEqual([]);
    const history = (model.chatRequests[1]?.messages ?? []) as Array<Record<string, unknown>>;
    const refusal = history.find((message) => message.role === 'tool');
    expect(refusal).toMatchObject({ tool_call_id: 'call_6' });
    expect(String(refusal?.content)).toContain('blocked by GuardrailPolicy default/agent-pii, check cards');
    expect(String(refusal?.content)).not.toContain('4111');
  });
});
