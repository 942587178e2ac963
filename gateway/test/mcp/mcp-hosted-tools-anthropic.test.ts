// Anthropic Messages' `mcp_servers` (the MCP connector) through a standalone gateway process, on a
// route with no spec.mcp whose model speaks Chat Completions: the official Anthropic SDK's beta
// client names an MCPServer, the gateway offers its tools to the model as function tools, runs the
// call the model asks for (the official MCP SDK's server on loopback), feeds the result back and
// answers with `mcp_tool_use`, `mcp_tool_result` and the final text, whole and streamed in
// Anthropic's event format, with the usage of both rounds. Also: tool_configuration narrows the
// tools, the earlier answer sent back in a follow-up is accepted, and the refusals (a name the key
// may not use, a URL that is not the MCPServer's, the caller's own authorization token).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { offeredTools, startHostedToolsDeployment, toolCall, USAGE, type HostedToolsDeployment } from './hosted-tools-fixtures.js';

const BETA = 'mcp-client-2025-04-04';

/** The status and Anthropic error body of a refused request. */
async function refusal(request: Promise<unknown>): Promise<{ status: number | undefined; type: string; message: string }> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof Anthropic.APIError)) throw error;
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    return { status: error.status, type: body?.error?.type ?? '', message: body?.error?.message ?? '' };
  }
  throw new Error('expected the request to be refused');
}

describe('hosted tools for Anthropic Messages (mcp_servers)', () => {
  let deployment: HostedToolsDeployment;
  let client: Anthropic;
  let server: Anthropic.Beta.Messages.BetaRequestMCPServerURLDefinition;

  beforeAll(async () => {
    deployment = await startHostedToolsDeployment('anthropic');
    client = new Anthropic({ baseURL: `${deployment.gateway.url}/anthropic`, apiKey: deployment.agentKey, maxRetries: 0, timeout: 20_000 });
    // The MCPServer's own URL: the gateway accepts it, and no other.
    server = { type: 'url', name: 'tools', url: deployment.tools.url };
  });

  beforeEach(() => {
    deployment.model.reset();
    deployment.tools.calls.length = 0;
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  it('runs the call and answers with mcp_tool_use, mcp_tool_result and the text, usage summed', async () => {
    deployment.model.script(
      { toolCalls: [toolCall('call_1', 'tools__echo', { text: 'sunny in Lisbon' })], finishReason: 'tool_calls', usage: USAGE },
      { content: 'It is sunny in Lisbon.', usage: USAGE },
    );
    const message = await client.beta.messages.create({
      model: 'assistant',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'weather?' }],
      mcp_servers: [server],
      betas: [BETA],
    });
    expect(message.content).toEqual([
      { type: 'mcp_tool_use', id: 'call_1', name: 'echo', server_name: 'tools', input: { text: 'sunny in Lisbon' } },
      { type: 'mcp_tool_result', tool_use_id: 'call_1', is_error: false, content: [{ type: 'text', text: 'sunny in Lisbon' }] },
      { type: 'text', text: 'It is sunny in Lisbon.' },
    ]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 22, output_tokens: 14 });
    expect(deployment.tools.calls).toEqual([{ name: 'echo', arguments: { text: 'sunny in Lisbon' } }]);
    expect(offeredTools(deployment.model, 0).sort()).toEqual(['tools__broken', 'tools__echo', 'tools__lookup']);
  });

  it("streams the blocks in Anthropic's event format; the SDK accumulates the same message", async () => {
    deployment.model.script(
      {
        content: 'Checking. ',
        toolCalls: [toolCall('call_2', 'tools__broken', {})],
        finishReason: 'tool_calls',
        usage: USAGE,
      },
      { content: 'The tool failed.', usage: USAGE },
    );
    const stream = client.beta.messages.stream({
      model: 'assistant',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'go' }],
      mcp_servers: [server],
      betas: [BETA],
    });
    const starts: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_start') starts.push(event.content_block.type);
    });
    const message = await stream.finalMessage();
    expect(starts).toEqual(['text', 'mcp_tool_use', 'mcp_tool_result', 'text']);
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking. ' },
      { type: 'mcp_tool_use', id: 'call_2', name: 'broken', server_name: 'tools', input: {} },
      { type: 'mcp_tool_result', tool_use_id: 'call_2', is_error: true, content: [{ type: 'text', text: 'broken failed on purpose' }] },
      { type: 'text', text: 'The tool failed.' },
    ]);
    expect(message.usage).toMatchObject({ input_tokens: 22, output_tokens: 14 });
  });

  it('tool_configuration narrows the tools offered; enabled: false offers none', async () => {
    deployment.model.script({ content: 'one', usage: USAGE }, { content: 'none', usage: USAGE });
    const base = { model: 'assistant', max_tokens: 64, messages: [{ role: 'user' as const, content: 'q' }], betas: [BETA] };
    await client.beta.messages.create({
      ...base,
      mcp_servers: [{ ...server, tool_configuration: { allowed_tools: ['lookup', 'secret'] } }],
    });
    expect(offeredTools(deployment.model, 0)).toEqual(['tools__lookup']);
    const none = await client.beta.messages.create({ ...base, mcp_servers: [{ ...server, tool_configuration: { enabled: false } }] });
    expect(offeredTools(deployment.model, 1)).toEqual([]);
    expect(none.content).toEqual([{ type: 'text', text: 'none' }]);
  });

  it('a follow-up sends the earlier answer back: its mcp blocks are accepted and left out', async () => {
    deployment.model.script(
      { toolCalls: [toolCall('call_3', 'tools__echo', { text: 'first' })], finishReason: 'tool_calls', usage: USAGE },
      { content: 'first answer', usage: USAGE },
      { content: 'second answer', usage: USAGE },
    );
    const base = { model: 'assistant', max_tokens: 64, mcp_servers: [server], betas: [BETA] };
    const first = await client.beta.messages.create({ ...base, messages: [{ role: 'user', content: 'one' }] });
    const second = await client.beta.messages.create({
      ...base,
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: first.content as Anthropic.Beta.Messages.BetaContentBlockParam[] },
        { role: 'user', content: 'two' },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'second answer' }]);
    const history = (deployment.model.chatRequests[2]?.messages ?? []) as Array<Record<string, unknown>>;
    expect(history).toEqual([
      { role: 'user', content: 'one' },
      expect.objectContaining({ role: 'assistant', content: 'first answer' }),
      { role: 'user', content: 'two' },
    ]);
  });

  it("refuses, naming the field: a server the key may not use, a URL that is not the MCPServer's, the caller's token", async () => {
    const base = { model: 'assistant', max_tokens: 64, messages: [{ role: 'user' as const, content: 'q' }], betas: [BETA] };
    const elsewhere = await refusal(client.beta.messages.create({ ...base, mcp_servers: [{ ...server, name: 'elsewhere' }] }));
    expect(elsewhere).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(elsewhere.message).toMatch(/^'mcp_servers\.0\.name': MCP server "elsewhere" is not one this key may use/);

    const url = await refusal(client.beta.messages.create({ ...base, mcp_servers: [{ ...server, url: 'https://mcp.example.com/sse' }] }));
    expect(url.message).toMatch(/^'mcp_servers\.0\.url': this gateway calls only MCPServers declared as resources/);

    const token = await refusal(
      client.beta.messages.create({ ...base, mcp_servers: [{ ...server, authorization_token: 'secret-token' }] }),
    );
    expect(token.message).toMatch(/^mcp_servers\.0\.authorization_token: this gateway calls MCP servers with their own credentials/);
    expect(token.message).not.toContain('secret-token');

    const plain = new Anthropic({ baseURL: `${deployment.gateway.url}/anthropic`, apiKey: deployment.plainKey, maxRetries: 0 });
    expect((await refusal(plain.beta.messages.create({ ...base, mcp_servers: [server] }))).message).toContain(
      'MCP server "tools" is not one this key may use',
    );

    expect(deployment.model.chatRequests).toHaveLength(0);
    expect(deployment.tools.calls).toEqual([]);
  });
});
