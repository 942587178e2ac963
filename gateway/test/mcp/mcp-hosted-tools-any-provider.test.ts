// The gateway's hosted-tool loop on a provider that is not OpenAI-shaped: the Responses API's
// `mcp` tools and Anthropic's `mcp_servers` on a route whose backend speaks Anthropic Messages (a
// loopback server with the real wire format). The model sees the MCP tools as Anthropic tools,
// calls one with `tool_use`, reads the `tool_result` the gateway sends back, and the caller gets
// its own front door's items, whole and streamed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { openAIClient } from '../core/core-fixtures.js';
import { startHostedToolsDeployment, type HostedToolsDeployment } from './hosted-tools-fixtures.js';

const MCP_TOOL = { type: 'mcp', server_label: 'tools', require_approval: 'never' } as const;

describe('hosted tools on an Anthropic-format provider', () => {
  let deployment: HostedToolsDeployment;
  let client: OpenAI;

  beforeAll(async () => {
    deployment = await startHostedToolsDeployment('anyprovider');
    client = openAIClient(deployment.gateway, deployment.agentKey);
  });

  beforeEach(() => {
    deployment.claude.reset();
    deployment.tools.calls.length = 0;
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  const script = (text: string): void =>
    deployment.claude.enqueue(
      {
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'tools__echo', input: { text } }],
        stopReason: 'tool_use',
        usage: { input_tokens: 20, output_tokens: 4 },
      },
      { content: [{ type: 'text', text: `Echoed: ${text}` }], usage: { input_tokens: 30, output_tokens: 6 } },
    );

  /** What the Anthropic upstream was sent: the tools offered first, then the tool result of round 2. */
  function checkUpstream(text: string): void {
    const [first, second] = deployment.claude.messageRequests;
    expect(((first?.tools ?? []) as Array<{ name: string }>).map((tool) => tool.name).sort()).toEqual([
      'tools__broken',
      'tools__echo',
      'tools__lookup',
    ]);
    const messages = (second?.messages ?? []) as Array<{ role: string; content: Array<Record<string, unknown>> }>;
    expect(messages.at(-1)).toMatchObject({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text }] }],
    });
  }

  it('Responses mcp tools, whole', async () => {
    script('whole');
    const response = await client.responses.create({ model: 'claude', input: 'q', tools: [MCP_TOOL] });
    expect(response.output.map((item) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    expect(response.output[1]).toMatchObject({ name: 'echo', output: 'whole', status: 'completed' });
    expect(response.output_text).toBe('Echoed: whole');
    expect(response.usage).toMatchObject({ input_tokens: 50, output_tokens: 10 });
    expect(deployment.tools.calls).toEqual([{ name: 'echo', arguments: { text: 'whole' } }]);
    checkUpstream('whole');
  });

  it('Responses mcp tools, streamed', async () => {
    script('streamed');
    const final = await client.responses.stream({ model: 'claude', input: 'q', tools: [MCP_TOOL] }).finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    expect(final.output_text).toBe('Echoed: streamed');
    expect(final.usage).toMatchObject({ input_tokens: 50, output_tokens: 10 });
    checkUpstream('streamed');
  });

  it('Anthropic mcp_servers, streamed', async () => {
    script('anthropic');
    const anthropic = new Anthropic({ baseURL: `${deployment.gateway.url}/anthropic`, apiKey: deployment.agentKey, maxRetries: 0 });
    const message = await anthropic.beta.messages
      .stream({
        model: 'claude',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'q' }],
        mcp_servers: [{ type: 'url', name: 'tools', url: '' }],
        betas: ['mcp-client-2025-04-04'],
      })
      .finalMessage();
    expect(message.content.map((block) => block.type)).toEqual(['mcp_tool_use', 'mcp_tool_result', 'text']);
    expect(message.content[0]).toMatchObject({ id: 'toolu_1', name: 'echo', server_name: 'tools', input: { text: 'anthropic' } });
    expect(message.usage).toMatchObject({ input_tokens: 50, output_tokens: 10 });
    checkUpstream('anthropic');
  });
});
