// The Responses API's `mcp` tool through a standalone gateway process, on a route with no spec.mcp
// whose model speaks Chat Completions: the official OpenAI SDK names an MCPServer by
// `server_label`, the gateway offers its tools to the model as function tools, runs the call the
// model asks for (the official MCP SDK's server on loopback), feeds the result back and answers
// with `mcp_list_tools`, `mcp_call` and the final message, whole and streamed in the Responses
// event format, with the usage of both rounds. Also: `allowed_tools` narrows the tools (by name,
// and to read-only ones), a tool's isError result is a failed mcp_call, and the refusals (a label
// the key may not use, a URL that is not the MCPServer's, a key without spec.mcp).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { openAIClient } from '../core/core-fixtures.js';
import { offeredTools, startHostedToolsDeployment, toolCall, USAGE, type HostedToolsDeployment } from './hosted-tools-fixtures.js';

const MCP_TOOL = { type: 'mcp', server_label: 'tools', require_approval: 'never' } as const;

describe('hosted tools for the Responses API (mcp tools)', () => {
  let deployment: HostedToolsDeployment;
  let client: OpenAI;

  beforeAll(async () => {
    deployment = await startHostedToolsDeployment('responses');
    client = openAIClient(deployment.gateway, deployment.agentKey);
  });

  beforeEach(() => {
    deployment.model.reset();
    deployment.tools.calls.length = 0;
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  it("reports a server that cannot list its tools on its mcp_list_tools item's error, whole and streamed", async () => {
    const down = { type: 'mcp', server_label: 'down', require_approval: 'never' } as const;
    deployment.model.script({ content: 'No tools today.', usage: USAGE }, { content: 'No tools today.', usage: USAGE });
    const response = await client.responses.create({ model: 'assistant', input: 'hi', tools: [down] });
    expect(response.output[0]).toMatchObject({
      type: 'mcp_list_tools',
      server_label: 'down',
      tools: [],
      error: expect.stringMatching(/^MCP server "down" could not list its tools: cannot reach the upstream/),
    });
    const stream = await client.responses.create({ model: 'assistant', input: 'hi', tools: [down], stream: true });
    const done: OpenAI.Responses.ResponseOutputItem[] = [];
    for await (const event of stream) if (event.type === 'response.output_item.done') done.push(event.item);
    expect(done[0]).toMatchObject({ type: 'mcp_list_tools', tools: [], error: expect.stringContaining('could not list its tools') });
  });

  it('lists the tools, runs the call and answers with mcp_list_tools, mcp_call and the message, usage summed', async () => {
    deployment.model.script(
      { toolCalls: [toolCall('call_1', 'tools__echo', { text: 'sunny in Lisbon' })], finishReason: 'tool_calls', usage: USAGE },
      { content: 'It is sunny in Lisbon.', usage: USAGE },
    );
    const response = await client.responses.create({ model: 'assistant', input: 'weather?', tools: [MCP_TOOL] });

    expect(response.output.map((item) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    const [list, call] = response.output;
    expect(list).toMatchObject({ type: 'mcp_list_tools', server_label: 'tools', id: expect.stringMatching(/^mcpl_/) });
    // The key's allowedTools apply: tools__secret is neither listed nor offered.
    expect(list?.type === 'mcp_list_tools' && list.tools.map((tool) => tool.name).sort()).toEqual(['broken', 'echo', 'lookup']);
    expect(list?.type === 'mcp_list_tools' && list.tools.find((tool) => tool.name === 'echo')).toMatchObject({
      description: 'echoes its text (echo)',
      input_schema: { type: 'object', properties: { text: { type: 'string' } } },
    });
    expect(call).toEqual({
      type: 'mcp_call',
      id: expect.stringMatching(/^mcp_/),
      server_label: 'tools',
      name: 'echo',
      arguments: JSON.stringify({ text: 'sunny in Lisbon' }),
      output: 'sunny in Lisbon',
      error: null,
      status: 'completed',
    });
    expect(response.output_text).toBe('It is sunny in Lisbon.');
    expect(response.usage).toMatchObject({ input_tokens: 22, output_tokens: 14, total_tokens: 36 });
    expect(response.tools).toEqual([{ type: 'mcp', server_label: 'tools', allowed_tools: null, require_approval: 'never' }]);

    expect(deployment.tools.calls).toEqual([{ name: 'echo', arguments: { text: 'sunny in Lisbon' } }]);
    expect(offeredTools(deployment.model, 0).sort()).toEqual(['tools__broken', 'tools__echo', 'tools__lookup']);
    const history = (deployment.model.chatRequests[1]?.messages ?? []) as Array<Record<string, unknown>>;
    expect(history.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: 'sunny in Lisbon' });
  });

  it('streams the listing and the call in the Responses event format, then the answer', async () => {
    deployment.model.script(
      {
        content: 'Checking. ',
        toolCalls: [toolCall('call_2', 'tools__echo', { text: 'stream me' })],
        finishReason: 'tool_calls',
        usage: USAGE,
      },
      { content: 'Done: stream me.', usage: USAGE },
    );
    const stream = await client.responses.create({ model: 'assistant', input: 'go', tools: [MCP_TOOL], stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    const types = events.map((event) => event.type);
    const mcpEvents = types.filter((type) => type.includes('mcp') || type.startsWith('response.output_item'));
    expect(mcpEvents).toEqual([
      'response.output_item.added', // mcp_list_tools
      'response.mcp_list_tools.in_progress',
      'response.mcp_list_tools.completed',
      'response.output_item.done',
      'response.output_item.added', // the first round's message
      'response.output_item.done',
      'response.output_item.added', // mcp_call
      'response.mcp_call_arguments.delta',
      'response.mcp_call_arguments.done',
      'response.mcp_call.in_progress',
      'response.mcp_call.completed',
      'response.output_item.done',
      'response.output_item.added', // the answer
      'response.output_item.done',
    ]);
    const sequence = events.map((event) => event.sequence_number);
    expect(sequence).toEqual(sequence.map((_, i) => i));
    const done = events.filter((event) => event.type === 'response.output_item.done').map((event) => event.item);
    expect(done.map((item) => item.type)).toEqual(['mcp_list_tools', 'message', 'mcp_call', 'message']);
    expect(done[2]).toMatchObject({ type: 'mcp_call', name: 'echo', output: 'stream me', status: 'completed' });

    const completed = events.at(-1);
    expect(completed?.type).toBe('response.completed');
    if (completed?.type !== 'response.completed') return;
    expect(completed.response.output.map((item) => item.type)).toEqual(['mcp_list_tools', 'message', 'mcp_call', 'message']);
    const texts = completed.response.output.flatMap((item) =>
      item.type === 'message' ? item.content.map((part) => (part.type === 'output_text' ? part.text : '')) : [],
    );
    expect(texts).toEqual(['Checking. ', 'Done: stream me.']);
    expect(completed.response.usage).toMatchObject({ input_tokens: 22, output_tokens: 14 });
    expect(deployment.tools.calls).toEqual([{ name: 'echo', arguments: { text: 'stream me' } }]);
  });

  it('the SDK stream helper accumulates the same final response', async () => {
    deployment.model.script(
      { toolCalls: [toolCall('call_3', 'tools__echo', { text: 'helper' })], finishReason: 'tool_calls', usage: USAGE },
      { content: 'helped', usage: USAGE },
    );
    const final = await client.responses.stream({ model: 'assistant', input: 'go', tools: [MCP_TOOL] }).finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    expect(final.output_text).toBe('helped');
  });

  it('allowed_tools narrows the tools offered: by name, and to read-only ones', async () => {
    deployment.model.script({ content: 'one tool', usage: USAGE }, { content: 'read-only', usage: USAGE });
    const byName = await client.responses.create({
      model: 'assistant',
      input: 'q',
      tools: [{ ...MCP_TOOL, allowed_tools: ['echo', 'secret'] }],
    });
    // `secret` stays out: the key's allowedTools still apply.
    expect(offeredTools(deployment.model, 0)).toEqual(['tools__echo']);
    expect(byName.output[0]?.type === 'mcp_list_tools' && byName.output[0].tools.map((tool) => tool.name)).toEqual(['echo']);

    await client.responses.create({ model: 'assistant', input: 'q', tools: [{ ...MCP_TOOL, allowed_tools: { read_only: true } }] });
    expect(offeredTools(deployment.model, 1)).toEqual(['tools__lookup']);
  });

  it("a tool's isError result is a failed mcp_call the model reads", async () => {
    deployment.model.script(
      { toolCalls: [toolCall('call_4', 'tools__broken', {})], finishReason: 'tool_calls', usage: USAGE },
      { content: 'The tool failed.', usage: USAGE },
    );
    const response = await client.responses.create({ model: 'assistant', input: 'q', tools: [MCP_TOOL] });
    expect(response.output[1]).toMatchObject({
      type: 'mcp_call',
      name: 'broken',
      status: 'failed',
      output: 'broken failed on purpose',
      error: { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: 'broken failed on purpose' }] },
    });
    expect(response.output_text).toBe('The tool failed.');
  });

  it('a follow-up sends the earlier output back as input: the mcp items are accepted and left out', async () => {
    deployment.model.script(
      { toolCalls: [toolCall('call_5', 'tools__echo', { text: 'first' })], finishReason: 'tool_calls', usage: USAGE },
      { content: 'first answer', usage: USAGE },
      { content: 'second answer', usage: USAGE },
    );
    const first = await client.responses.create({ model: 'assistant', input: 'one', tools: [MCP_TOOL], store: false });
    const second = await client.responses.create({
      model: 'assistant',
      input: [
        { role: 'user', content: 'one' },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { role: 'user', content: 'two' },
      ],
      store: false,
    });
    expect(second.output_text).toBe('second answer');
    const history = (deployment.model.chatRequests[2]?.messages ?? []) as Array<Record<string, unknown>>;
    expect(history.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it("refuses, naming the field: a server the key may not use, a URL that is not the MCPServer's, a key without spec.mcp", async () => {
    const elsewhere = client.responses.create({ model: 'assistant', input: 'q', tools: [{ ...MCP_TOOL, server_label: 'elsewhere' }] });
    await expect(elsewhere).rejects.toMatchObject({ status: 400, param: 'tools[0].server_label' });
    await expect(elsewhere).rejects.toThrow('MCP server "elsewhere" is not one this key may use');

    const qualified = client.responses.create({
      model: 'assistant',
      input: 'q',
      tools: [{ ...MCP_TOOL, server_label: 'other/elsewhere' }],
    });
    await expect(qualified).rejects.toThrow('MCP server "other/elsewhere" is not one this key may use');

    const url = client.responses.create({
      model: 'assistant',
      input: 'q',
      tools: [{ ...MCP_TOOL, server_url: 'https://mcp.example.com/mcp' }],
    });
    await expect(url).rejects.toMatchObject({ status: 400, param: 'tools[0].server_url' });
    await expect(url).rejects.toThrow('this gateway calls only MCPServers declared as resources');

    const plain = openAIClient(deployment.gateway, deployment.plainKey).responses.create({
      model: 'assistant',
      input: 'q',
      tools: [MCP_TOOL],
    });
    await expect(plain).rejects.toThrow('MCP server "tools" is not one this key may use');

    expect(deployment.model.chatRequests).toHaveLength(0);
    expect(deployment.tools.calls).toEqual([]);
  });

  it("the MCPServer's own URL and its namespace/name are accepted", async () => {
    deployment.model.script({ content: 'ok', usage: USAGE }, { content: 'ok', usage: USAGE });
    const byUrl = await client.responses.create({
      model: 'assistant',
      input: 'q',
      tools: [{ ...MCP_TOOL, server_url: deployment.tools.url }],
    });
    expect(byUrl.output[0]).toMatchObject({ type: 'mcp_list_tools', server_label: 'tools' });
    const byId = await client.responses.create({ model: 'assistant', input: 'q', tools: [{ ...MCP_TOOL, server_label: 'default/tools' }] });
    expect(byId.output[0]).toMatchObject({ type: 'mcp_list_tools', server_label: 'default/tools' });
  });
});
